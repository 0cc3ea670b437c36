#!/usr/bin/env python3
"""Turns the JSON line of `faceauth-calibrate --protocol populations` into the
LevelPoint lines of daemon/recognition/operating_point.h (pooled FAR and FRR
with counts and 95 % bounds; the set whose own people are accepted most often).

  build/bench/faceauth-calibrate --protocol populations --shared ../shared > run.txt
  python3 bench/operating_point_lines.py run.txt
"""
import json,sys
for line in open(sys.argv[1]):
    if line.startswith("JSON: "): j=json.loads(line[6:])
print("//", j["embedder"], "enroll_jitters", j["enroll_jitters"])
for l in j["levels"]:
    worst=max(l["sets"], key=lambda s:(s["far_same"]["rate"], s["far_same"]["upper95"]))
    fp, fr, w = l["far_pooled"], l["frr_pooled"], worst["far_same"]
    print('    {"%s", %g, %.3f, {%d, %d, %.3e}, {%d, %d, %.3e}, "%s", {%d, %d, %.3e}},' % (
        l["level"], l["max_far"], l["threshold"], fp["errors"], fp["trials"], fp["upper95"],
        fr["errors"], fr["trials"], fr["upper95"], worst["set"], w["errors"], w["trials"], w["upper95"]))
