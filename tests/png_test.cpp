#include "png/png.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <cstdint>
#include <functional>
#include <set>
#include <thread>
#include <vector>

using namespace sayso;

namespace {

// A picture with detail in it, rows padded past their pixels (stride).
struct Picture {
    int w = 97, h = 61;
    std::size_t stride = 97 * 4 + 12;
    std::vector<unsigned char> bytes = std::vector<unsigned char>(stride * 61, 0xEE);
    Picture() {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                unsigned char* p = &bytes[y * stride + x * 4];
                p[0] = static_cast<unsigned char>(x * 255 / w);
                p[1] = static_cast<unsigned char>(y * 255 / h);
                p[2] = static_cast<unsigned char>((x * y) & 0xff);
                p[3] = static_cast<unsigned char>(255 - (x + y) % 7);
            }
    }
    png::Rgba rgba() const { return {.pixels = bytes.data(), .width = w, .height = h, .stride = stride}; }
};

std::vector<unsigned char> decoded(const std::filesystem::path& file, int& w, int& h) {
    int n = 0;
    stbi_uc* px = stbi_load(file.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    std::vector<unsigned char> out(px, px + static_cast<std::size_t>(w) * h * 4);
    stbi_image_free(px);
    return out;
}

} // namespace

TEST_CASE("a PNG reads back pixel for pixel, at the compression level each call asks for") {
    test::TempDir dir;
    const Picture pic;
    REQUIRE(png::write_png(dir / "fast.png", pic.rgba(), png::kFast));
    REQUIRE(png::write_png(dir / "stored.png", pic.rgba(), 0));
    REQUIRE(png::write_png(dir / "small.png", pic.rgba(), png::kSmallest));
    std::vector<unsigned char> want;
    for (int y = 0; y < pic.h; ++y)
        want.insert(want.end(), pic.bytes.begin() + y * pic.stride, pic.bytes.begin() + y * pic.stride + pic.w * 4);
    for (const char* name : {"fast.png", "stored.png", "small.png"}) {
        CAPTURE(name);
        int w = 0, h = 0;
        CHECK(decoded(dir / name, w, h) == want);
        CHECK(w == pic.w);
        CHECK(h == pic.h);
    }
    // Level 0 stores the rows uncompressed; each call got its own level.
    const auto stored = std::filesystem::file_size(dir / "stored.png");
    CHECK(stored > want.size());
    CHECK(std::filesystem::file_size(dir / "small.png") < stored / 2);
    CHECK_FALSE(std::filesystem::exists(dir / "fast.png.part"));
}

TEST_CASE("two threads writing PNGs at once each keep their own compression level") {
    // A library-wide level (as stb_image_write has) set before each call would mix the two up.
    test::TempDir dir;
    const Picture pic;
    auto run = [&](const std::string& name, int level, std::vector<std::uintmax_t>& sizes) {
        for (int i = 0; i < 30; ++i) {
            const auto file = dir / (name + std::to_string(i) + ".png");
            if (!png::write_png(file, pic.rgba(), level)) return;
            sizes.push_back(std::filesystem::file_size(file));
        }
    };
    std::vector<std::uintmax_t> stored, small;
    std::thread a(run, "stored", 0, std::ref(stored)), b(run, "small", png::kSmallest, std::ref(small));
    a.join();
    b.join();
    REQUIRE(stored.size() == 30);
    REQUIRE(small.size() == 30);
    CHECK(std::set<std::uintmax_t>(stored.begin(), stored.end()).size() == 1);
    CHECK(std::set<std::uintmax_t>(small.begin(), small.end()).size() == 1);
    CHECK(small[0] < stored[0] / 2);
}

TEST_CASE("a PNG that can't be written says why, and leaves nothing behind") {
    test::TempDir dir;
    const Picture pic;
    test::write_file(dir / "a-file", "x");
    const auto nowhere = png::write_png(dir / "a-file" / "shot.png", pic.rgba(), png::kFast);
    REQUIRE_FALSE(nowhere);
    CHECK(nowhere.problem().kind == png::PngProblem::Kind::CantWrite);
    CHECK(nowhere.words().find("a-file/shot.png.part") != std::string::npos);

    auto empty = pic.rgba();
    empty.width = 0;
    CHECK(png::write_png(dir / "empty.png", empty, png::kFast).problem().kind == png::PngProblem::Kind::BadSize);
    auto short_rows = pic.rgba();
    short_rows.stride = 4;
    CHECK_FALSE(png::write_png(dir / "short.png", short_rows, png::kFast));
    CHECK_FALSE(png::write_png(dir / "level.png", pic.rgba(), 10));
    // Written, then not renamed over a folder of that name: the part is taken away again.
    std::filesystem::create_directories(dir / "taken.png" / "inside");
    const auto over = png::write_png(dir / "taken.png", pic.rgba(), png::kFast);
    REQUIRE_FALSE(over);
    CHECK(over.problem().kind == png::PngProblem::Kind::CantWrite);
    CHECK_FALSE(std::filesystem::exists(dir / "taken.png.part"));
    std::filesystem::remove_all(dir / "taken.png");
    int left = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        left += e.path().filename() != "a-file";
    CHECK(left == 0);
}
