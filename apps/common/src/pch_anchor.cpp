// Anchors the practice systems' shared precompiled header (see CMakeLists.txt).
