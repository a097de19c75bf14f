#include "look.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <cstdio>

namespace sayso::ui {

Look::Look(SDL_Window* window, SDL_Renderer* renderer, float dpi, bool headless)
    : window_(window), renderer_(renderer), dpi_(dpi), headless_(headless), shaped_(renderer, latin_font_path(false)) {
    for (const auto& p : shaped_.problems())
        std::fprintf(stderr, "sayso: %s\n", p.c_str());
}

Look::~Look() = default;

void Look::relayout() {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    float dpi = dpi_;
    if (dpi <= 0 && !headless_) {
        float ddpi = 0;
        if (SDL_GetDisplayDPI(SDL_GetWindowDisplayIndex(window_), &ddpi, nullptr, nullptr) == 0) dpi = ddpi;
    }
    layout_ = Layout::compute(static_cast<float>(w), static_cast<float>(h), dpi);
    rebuild_fonts();
    apply_style(layout_, colours());
    if (!fonts_.problem.empty()) std::fprintf(stderr, "sayso: %s\n", fonts_.problem.c_str());
}

void Look::rebuild_fonts() {
    static const float scales[] = {1.0f, 1.2f, 1.45f}; // the three text sizes a child can choose
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    fonts_ = build_fonts(layout_, scales[std::clamp(access_.text_size, 0, 2)], access_.easy_font);
    ImGui_ImplSDLRenderer_CreateFontsTexture();
    // The texture holds the glyphs now; the atlas's own two copies of its
    // pixels (about 5 MiB at 1920x1200) are not needed again.
    ImGui::GetIO().Fonts->ClearTexData();
}

bool Look::apply(const flow::Access& want) {
    if (want == access_) return false;
    const bool fonts = want.text_size != access_.text_size || want.easy_font != access_.easy_font;
    if (want.easy_font != access_.easy_font) shaped_.set_latin_font(latin_font_path(want.easy_font));
    access_ = want;
    apply_style(layout_, colours());
    if (fonts) rebuild_fonts();
    return true;
}

} // namespace sayso::ui
