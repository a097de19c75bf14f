// Writing pictures as PNG with libpng, each call with its own settings: no
// library-wide state (stb_image_write keeps its compression level in a global).
#pragma once

#include "result/result.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sayso::png {

struct PngProblem {
    enum class Kind { BadSize, CantWrite, Failed };
    Kind kind = Kind::Failed;
    std::string detail; // the file, and what libpng or the system said
};
std::string describe(const PngProblem&);

struct Rgba {
    const unsigned char* pixels = nullptr; // 8-bit R, G, B, A, top row first
    int width = 0, height = 0;
    std::size_t stride = 0; // bytes from one row to the next
};

// zlib levels: 1 is fastest (screenshots to look at), 9 smallest.
inline constexpr int kFast = 1, kSmallest = 9;

// Written beside and renamed over `file`, so while Sayso runs a reader never
// sees half a picture (the file is not synced: a screenshot is not data).
Result<void, PngProblem> write_png(const std::filesystem::path& file, const Rgba& image, int level);
// The same PNG's bytes, in memory.
Result<std::string, PngProblem> encode_png(const Rgba& image, int level);

// A picture of few colours: one byte a pixel, an index into `palette`
// (0xRRGGBB, at most 256). In memory, quick to make: a child's drawing, whose
// PNG is then never larger than its pixels (768 KiB at 1024x768).
struct Indexed {
    const unsigned char* pixels = nullptr; // top row first, `width` bytes a row
    int width = 0, height = 0;
    const std::uint32_t* palette = nullptr;
    int colours = 0;
};
Result<std::string, PngProblem> encode_indexed_png(const Indexed& image);

} // namespace sayso::png
