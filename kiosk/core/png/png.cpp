#include "png/png.hpp"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

namespace sayso::png {

std::string describe(const PngProblem& p) {
    switch (p.kind) {
    case PngProblem::Kind::BadSize: return "a picture of that size can't be written: " + p.detail;
    case PngProblem::Kind::CantWrite: return "the picture can't be written: " + p.detail;
    case PngProblem::Kind::Failed: return "the picture could not be made: " + p.detail;
    }
    return "the picture could not be made";
}

namespace {

struct Failure {
    char words[200] = {};
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
    auto* f = static_cast<Failure*>(png_get_error_ptr(png));
    std::snprintf(f->words, sizeof f->words, "%s", message);
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void append(png_structp png, png_bytep data, png_size_t n) {
    // No exception may cross libpng's C frames: out of memory is libpng's own error.
    bool kept = true;
    try {
        static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
    } catch (...) {
        kept = false;
    }
    if (!kept) png_error(png, "out of memory");
}
void flush_nothing(png_structp) {}

// What a PNG's header says, and how it is compressed.
struct Header {
    int width = 0, height = 0;
    int colour_type = PNG_COLOR_TYPE_RGBA;
    int level = kFast;
    bool filters = true;                // libpng's adaptive row filters
    const png_color* palette = nullptr; // PNG_COLOR_TYPE_PALETTE
    int colours = 0;
};

// Only plain values live across the setjmp: libpng's longjmp skips
// destructors. Writes to `out`, or appends to `memory` when it is given.
bool write_rows(std::FILE* out, std::string* memory, const Header& h, png_bytep* rows, Failure& failure) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_error, on_warning);
    if (!png) return false;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    if (memory)
        png_set_write_fn(png, memory, append, flush_nothing);
    else
        png_init_io(png, out);
    png_set_compression_level(png, h.level);
    if (!h.filters) png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, static_cast<png_uint_32>(h.width), static_cast<png_uint_32>(h.height), 8, h.colour_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (h.palette) png_set_PLTE(png, info, h.palette, h.colours);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

// An RGBA picture's header. Fast: no row filters. libpng's adaptive choice
// tries all five on every row, which took two thirds of a 1920x1200
// screenshot's 58 ms; without them it takes 19 ms and is 2% larger (a screen
// is mostly flat colour).
Header rgba_header(const Rgba& image, int level) {
    return {.width = image.width, .height = image.height, .level = level, .filters = level > kFast};
}

} // namespace

namespace {

std::optional<PngProblem> check(const Rgba& image, int level) {
    using K = PngProblem::Kind;
    if (!image.pixels || image.width <= 0 || image.height <= 0 || image.width > 1 << 15 || image.height > 1 << 15 ||
        image.stride < static_cast<std::size_t>(image.width) * 4)
        return PngProblem{K::BadSize, std::to_string(image.width) + " x " + std::to_string(image.height)};
    if (level < 0 || level > 9) return PngProblem{K::BadSize, "compression level " + std::to_string(level)};
    return std::nullopt;
}

std::vector<png_bytep> row_pointers(const Rgba& image) {
    std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
    for (std::size_t y = 0; y < rows.size(); ++y)
        rows[y] = const_cast<png_bytep>(image.pixels + y * image.stride); // libpng only reads them
    return rows;
}

} // namespace

Result<std::string, PngProblem> encode_png(const Rgba& image, int level) {
    if (auto bad = check(image, level)) return *bad;
    auto rows = row_pointers(image);
    std::string out;
    Failure failure;
    if (!write_rows(nullptr, &out, rgba_header(image, level), rows.data(), failure))
        return PngProblem{PngProblem::Kind::Failed, failure.words[0] ? failure.words : "out of memory"};
    return out;
}

Result<void, PngProblem> write_png(const std::filesystem::path& file, const Rgba& image, int level) {
    using K = PngProblem::Kind;
    if (auto bad = check(image, level)) return *bad;
    auto rows = row_pointers(image);
    const std::filesystem::path part = file.string() + ".part";
    std::FILE* out = std::fopen(part.c_str(), "wb");
    if (!out) return PngProblem{K::CantWrite, part.string() + ": " + std::strerror(errno)};
    Failure failure;
    errno = 0;
    const bool made = write_rows(out, nullptr, rgba_header(image, level), rows.data(), failure);
    const bool written = std::fflush(out) == 0 && !std::ferror(out);
    const int saved_errno = errno;
    const bool closed = std::fclose(out) == 0;
    std::error_code ignored;
    if (!written || !closed) { // a full disk, for one
        std::filesystem::remove(part, ignored);
        return PngProblem{K::CantWrite, file.string() + ": " + std::strerror(saved_errno ? saved_errno : EIO)};
    }
    if (!made) {
        std::filesystem::remove(part, ignored);
        return PngProblem{K::Failed, file.string() + ": " + (failure.words[0] ? failure.words : "out of memory")};
    }
    std::error_code ec;
    std::filesystem::rename(part, file, ec);
    if (ec) {
        std::filesystem::remove(part, ignored);
        return PngProblem{K::CantWrite, file.string() + ": " + ec.message()};
    }
    return {};
}

Result<std::string, PngProblem> encode_indexed_png(const Indexed& image) {
    if (!image.pixels || !image.palette || image.width <= 0 || image.height <= 0 || image.width > 1 << 15 ||
        image.height > 1 << 15 || image.colours < 1 || image.colours > 256)
        return PngProblem{PngProblem::Kind::BadSize, std::to_string(image.width) + " x " +
                                                         std::to_string(image.height) + ", " +
                                                         std::to_string(image.colours) + " colours"};
    std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
    for (std::size_t y = 0; y < rows.size(); ++y)
        rows[y] = const_cast<png_bytep>(image.pixels + y * static_cast<std::size_t>(image.width));
    png_color palette[256];
    for (int i = 0; i < image.colours; ++i)
        palette[i] = {static_cast<png_byte>((image.palette[i] >> 16) & 0xFF),
                      static_cast<png_byte>((image.palette[i] >> 8) & 0xFF),
                      static_cast<png_byte>(image.palette[i] & 0xFF)};
    // zlib's level 6: a busy drawing in 9 ms and 36 KiB; level 9 took 97 ms for 28 KiB, a pause the
    // child would see between tapping next and the next question. Row filters do not help an image
    // of palette indices (libpng's own advice).
    const Header h{.width = image.width,
                   .height = image.height,
                   .colour_type = PNG_COLOR_TYPE_PALETTE,
                   .level = 6,
                   .filters = false,
                   .palette = palette,
                   .colours = image.colours};
    std::string out;
    Failure failure;
    if (!write_rows(nullptr, &out, h, rows.data(), failure))
        return PngProblem{PngProblem::Kind::Failed, failure.words[0] ? failure.words : "out of memory"};
    return out;
}

} // namespace sayso::png
