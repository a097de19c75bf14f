// The kiosk's drawing for SDL's software renderer (kiosk/ui/raster, shapes):
// round shapes and pictures drawn as fills and copies look as ImGui's own
// triangles draw them, and leave SDL's slow triangle rasteriser nothing to do.
#include "raster.hpp"
#include "shapes.hpp"
#include "widgets.hpp"

#include <SDL.h>
#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <cstdlib>
#include <functional>
#include <vector>

using namespace sayso;

namespace {

constexpr int kW = 480, kH = 320;

// One frame drawn into a surface with SDL's software renderer: `paint` fills
// the background draw list; `ours` draws it with render_draw_data, else with
// ImGui's own SDL_Renderer backend. Gives the pixels.
struct Frame {
    std::vector<std::uint32_t> pixels;
    ui::RasterCounts counts;
};

Frame draw(bool ours, const std::function<void(ImDrawList*, ui::Shapes&, SDL_Renderer*)>& paint) {
    SDL_Surface* surface = SDL_CreateRGBSurfaceWithFormat(0, kW, kH, 32, SDL_PIXELFORMAT_ARGB8888);
    REQUIRE(surface);
    SDL_Renderer* renderer = SDL_CreateSoftwareRenderer(surface);
    REQUIRE(renderer);
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(kW, kH);
    ImGui_ImplSDLRenderer_Init(renderer);
    Frame f;
    {
        ui::Shapes shapes(renderer);
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui::NewFrame();
        shapes.next_frame();
        paint(ImGui::GetBackgroundDrawList(), shapes, renderer);
        ImGui::Render();
        SDL_SetRenderDrawColor(renderer, 0xfb, 0xf3, 0xe8, 255);
        SDL_RenderClear(renderer);
        if (ours)
            f.counts = ui::render_draw_data(renderer, ImGui::GetDrawData());
        else
            ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
        SDL_RenderPresent(renderer);
        f.pixels.assign(static_cast<std::uint32_t*>(surface->pixels),
                        static_cast<std::uint32_t*>(surface->pixels) + kW * kH);
    }
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui::DestroyContext(ctx);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    return f;
}

int channel_gap(std::uint32_t a, std::uint32_t b) {
    int worst = 0;
    for (int shift : {0, 8, 16})
        worst =
            std::max(worst, std::abs(static_cast<int>((a >> shift) & 0xFF) - static_cast<int>((b >> shift) & 0xFF)));
    return worst;
}

// How `ours` differs from `theirs`. ImGui's shapes put a soft one-pixel edge
// across the pixel boundary; ours lie on whole pixels, so at an edge the two
// differ by up to about half the contrast, and nowhere else.
struct Difference {
    int inside = 0;  // pixels away from any edge (theirs is flat for 2 px around) more than 3 apart
    int far_off = 0; // pixels more than 160 from theirs and its neighbours: a corner or piece missing or misplaced
};

Difference compare(const Frame& theirs, const Frame& ours) {
    Difference d;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
            const std::uint32_t t = theirs.pixels[static_cast<std::size_t>(y * kW + x)];
            const std::uint32_t o = ours.pixels[static_cast<std::size_t>(y * kW + x)];
            bool flat = x >= 2 && y >= 2 && x < kW - 2 && y < kH - 2;
            for (int dy = -2; flat && dy <= 2; ++dy)
                for (int dx = -2; flat && dx <= 2; ++dx)
                    flat = channel_gap(theirs.pixels[static_cast<std::size_t>((y + dy) * kW + x + dx)], t) <= 1;
            const int gap = channel_gap(t, o);
            d.inside += flat && gap > 3;
            // Theirs lies half a pixel up and left of whole pixels: the nearest of its neighbours.
            int nearest = gap;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx)
                    if (x + dx >= 0 && y + dy >= 0 && x + dx < kW && y + dy < kH)
                        nearest = std::min(
                            nearest, channel_gap(theirs.pixels[static_cast<std::size_t>((y + dy) * kW + x + dx)], o));
            d.far_off += nearest > 160;
        }
    return d;
}

} // namespace

TEST_CASE("round cards, their see-through shadows and discs drawn as fills and copies look as ImGui draws them") {
    const ImU32 card = IM_COL32(0xff, 0xfa, 0xf2, 0xff), shadow = IM_COL32(0x6b, 0x4f, 0x3a, 0x38),
                teal = IM_COL32(0x1f, 0x6f, 0x78, 0xff);
    const Frame theirs = draw(false, [&](ImDrawList* dl, ui::Shapes&, SDL_Renderer*) {
        dl->AddRectFilled(ImVec2(40, 46), ImVec2(240, 266), shadow, 36);
        dl->AddRectFilled(ImVec2(40, 40), ImVec2(240, 260), card, 36);
        dl->AddRectFilled(ImVec2(260, 40), ImVec2(440, 100), teal, 12);
        dl->AddCircleFilled(ImVec2(350, 200), 50, teal);
        dl->AddCircleFilled(ImVec2(420, 290), 12, shadow);
    });
    const Frame ours = draw(true, [&](ImDrawList* dl, ui::Shapes& shapes, SDL_Renderer*) {
        shapes.rounded(dl, ImVec2(40, 46), ImVec2(240, 266), shadow, 36);
        shapes.rounded(dl, ImVec2(40, 40), ImVec2(240, 260), card, 36);
        shapes.rounded(dl, ImVec2(260, 40), ImVec2(440, 100), teal, 12);
        shapes.disc(dl, ImVec2(350, 200), 50, teal);
        shapes.disc(dl, ImVec2(420, 290), 12, shadow);
    });
    // Nothing left for the triangle rasteriser: 3 cards of 4 corners and 3
    // fills, and 2 discs.
    CHECK(ours.counts.triangles == 0);
    CHECK(ours.counts.fills == 9);
    CHECK(ours.counts.copies == 14);
    const Difference d = compare(theirs, ours);
    // Only the soft edges differ: no seam, no shadow laid twice where pieces
    // meet, no corner missing or out of place.
    CHECK(d.inside == 0);
    CHECK(d.far_off == 0);
}

TEST_CASE("a picture drawn smaller than it is is scaled once, then copied pixel for pixel") {
    auto paint = [](bool ours) {
        return [ours](ImDrawList* dl, ui::Shapes& shapes, SDL_Renderer* renderer) {
            // A 64x64 picture of four coloured squares, shown at 32x32.
            std::vector<std::uint32_t> px(64 * 64);
            for (int y = 0; y < 64; ++y)
                for (int x = 0; x < 64; ++x)
                    px[static_cast<std::size_t>(y * 64 + x)] =
                        x < 32 ? (y < 32 ? 0xFFD04030u : 0xFF30A050u) : (y < 32 ? 0xFF3050D0u : 0xFFE0C020u);
            SDL_Texture* t = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, 64, 64);
            SDL_UpdateTexture(t, nullptr, px.data(), 64 * 4);
            SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
            SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
            const ui::Pen pen{.dl = dl, .colours = ui::kWarm, .shaped = nullptr, .shapes = ours ? &shapes : nullptr};
            ui::draw_picture(pen, ui::Picture{t, 64, 64, 1}, ImVec2(100, 100), ImVec2(132, 132));
            // Asked again at the same size: the same scaled copy.
            CHECK(shapes.sized(ui::Picture{t, 64, 64, 1}, 32, 32).texture ==
                  shapes.sized(ui::Picture{t, 64, 64, 1}, 32, 32).texture);
        };
    };
    const Frame theirs = draw(false, paint(false));
    const Frame ours = draw(true, paint(true));
    CHECK(ours.counts.triangles == 0);
    CHECK(ours.counts.copies == 1);
    // Each quarter keeps its colour (away from where they meet).
    for (const auto& [x, y, colour] : {std::tuple{108, 108, 0xFFD04030u}, std::tuple{108, 124, 0xFF30A050u},
                                       std::tuple{124, 108, 0xFF3050D0u}, std::tuple{124, 124, 0xFFE0C020u}}) {
        CHECK(ours.pixels[static_cast<std::size_t>(y * kW + x)] == colour);
        CHECK(theirs.pixels[static_cast<std::size_t>(y * kW + x)] == colour);
    }
}

TEST_CASE("fills, copies and triangles mixed and clipped keep ImGui's order and clipping") {
    // Overlapping shapes of each kind, in an order where any reordering shows:
    // a card (fills and copies), a triangle over it, a fill over the
    // triangle, a line and text (triangles and copies), all in a clip
    // rectangle that cuts through them.
    const ImU32 card = IM_COL32(0xff, 0xfa, 0xf2, 0xff), teal = IM_COL32(0x1f, 0x6f, 0x78, 0xff),
                orange = IM_COL32(0xf0, 0x8a, 0x24, 0xff), see_through = IM_COL32(0x20, 0x20, 0x80, 0x80);
    auto paint = [&](bool ours) {
        return [=](ImDrawList* dl, ui::Shapes& shapes, SDL_Renderer*) {
            dl->PushClipRect(ImVec2(30, 30), ImVec2(300, 250));
            if (ours)
                shapes.rounded(dl, ImVec2(20, 20), ImVec2(220, 200), card, 24);
            else
                dl->AddRectFilled(ImVec2(20, 20), ImVec2(220, 200), card, 24);
            dl->AddTriangleFilled(ImVec2(60, 40), ImVec2(260, 120), ImVec2(80, 230), teal);
            dl->AddRectFilled(ImVec2(100, 100), ImVec2(180, 160), orange);
            dl->AddRectFilled(ImVec2(150, 60), ImVec2(290, 140), see_through);
            dl->AddLine(ImVec2(25, 245), ImVec2(295, 35), orange, 6);
            dl->AddText(ImVec2(40, 210), teal, "Sayso");
            dl->PopClipRect();
        };
    };
    const Frame theirs = draw(false, paint(false));
    const Frame ours = draw(true, paint(true));
    CHECK(ours.counts.fills >= 4);
    CHECK(ours.counts.copies >= 4);
    CHECK(ours.counts.triangles > 0);
    const Difference d = compare(theirs, ours);
    CHECK(d.inside == 0);
    CHECK(d.far_off == 0);
    // Nothing outside the clip rectangle.
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            if (x < 30 || y < 30 || x >= 300 || y >= 250) {
                CAPTURE(x);
                CAPTURE(y);
                REQUIRE(ours.pixels[static_cast<std::size_t>(y * kW + x)] == 0xFFFBF3E8u);
            }
}
