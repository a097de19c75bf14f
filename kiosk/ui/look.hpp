// How the screens look now: the layout for the window's size and density,
// the fonts at the child's text size, the palette and the shaped-text cache.
// The practitioner's screens use the defaults; a child's own settings apply
// from the welcome screen to the end of their session.
#pragma once

#include "flow/flow.hpp"
#include "layout.hpp"
#include "shaped_text.hpp"
#include "theme.hpp"

struct SDL_Window;
struct SDL_Renderer;

namespace sayso::ui {

class Look {
  public:
    // `dpi` 0: ask the display (unless headless).
    Look(SDL_Window* window, SDL_Renderer* renderer, float dpi, bool headless);
    ~Look();
    Look(const Look&) = delete;
    Look& operator=(const Look&) = delete;

    // For the window's size now (at the start and when it changes).
    void relayout();
    // To `want` (a child's settings, or the defaults); true if anything changed.
    bool apply(const flow::Access& want);
    void set_language(const std::string& lang) { shaped_.set_language(lang); }

    const Layout& layout() const { return layout_; }
    const Fonts& fonts() const { return fonts_; }
    ShapedText& shaped() { return shaped_; }
    const Palette& colours() const { return access_.high_contrast ? kHighContrast : kWarm; }

  private:
    void rebuild_fonts();
    SDL_Window* window_;
    SDL_Renderer* renderer_;
    float dpi_;
    bool headless_;
    Layout layout_;
    Fonts fonts_;
    flow::Access access_; // what the screens are drawn with now
    ShapedText shaped_;
};

} // namespace sayso::ui
