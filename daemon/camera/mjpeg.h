// MJPEG details: webcams often send JPEG frames without the DHT (Huffman
// table) segment, relying on the standard tables of JPEG Annex K.3 that the
// AVI1/MJPEG convention implies. These helpers detect that and repair it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace faceauth {

// True when a DHT segment appears before the first SOS. Scans only the
// marker headers; a buffer that is not a JPEG gives false.
bool mjpeg_has_huffman_tables(std::span<const uint8_t> jpeg);

// A copy of `jpeg` with the standard DHT segment inserted before the first
// SOS marker. The caller wipes the copy when done (it holds frame data).
// Returns an empty vector when no SOS marker can be found.
std::vector<uint8_t> mjpeg_with_standard_huffman_tables(std::span<const uint8_t> jpeg);

}  // namespace faceauth
