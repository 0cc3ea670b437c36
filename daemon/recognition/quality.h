// Image measures used by the quality gates; plain arithmetic, no dlib.
#pragma once

#include "image.h"

namespace faceauth {

// Mean luma (BT.601) of the image, 0..255, sampled on a grid of at most ~64k pixels.
double mean_brightness(const Image& img);
// Mean luma of every pixel of the rectangle (clipped to the image); 0 when
// nothing of it lies inside. Used for an IR face box in lit and dark frames.
double mean_brightness(const Image& img, int left, int top, int width, int height);

// Variance of the 4-neighbour Laplacian of the luma over the central half of
// the image (each side), high for a sharp image and low for a blurred one.
// Meant for the aligned 150x150 face chip: its centre is eyes, nose and mouth,
// whatever the face's size in the frame, and its border (which may lie
// outside the frame) is left out.
double sharpness(const Image& img);

}  // namespace faceauth
