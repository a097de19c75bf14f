// The kiosk's look: a light, warm palette, rounded shapes and a font made
// for children learning to read (Andika, from Debian's fonts-sil-andika).
#pragma once

#include "layout.hpp"

#include <imgui.h>
#include <string>

namespace sayso::ui {

namespace colour {
inline constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
    return (a << 24) | (b << 16) | (g << 8) | r;
}
// The palette in use: warm by default, or high contrast (set_palette).
inline ImU32 background = rgb(0xFF, 0xF4, 0xE6); // warm cream
inline ImU32 card = rgb(0xFF, 0xFF, 0xFF);
inline ImU32 tile = rgb(0xFF, 0xFB, 0xF5);
inline ImU32 ink = rgb(0x3A, 0x2E, 0x28);     // 12:1 on cream
inline ImU32 muted = rgb(0x6B, 0x5A, 0x50);   // 6:1 on cream
inline ImU32 primary = rgb(0x1F, 0x6F, 0x78); // white text 5.9:1
inline ImU32 primary_soft = rgb(0xDC, 0xF0, 0xEE);
inline ImU32 accent = rgb(0xF2, 0x8C, 0x28); // selection ring, celebration
inline ImU32 accent_soft = rgb(0xFD, 0xE3, 0xC6);
inline ImU32 edge = rgb(0xEA, 0xD9, 0xC6);
inline ImU32 shadow = rgb(0x8A, 0x6A, 0x4A, 40);
inline ImU32 disabled = rgb(0xD9, 0xCF, 0xC4);
inline ImU32 problem = rgb(0xA3, 0x23, 0x1B);
inline ImU32 problem_soft = rgb(0xFC, 0xE8, 0xE6);
inline ImU32 white = rgb(0xFF, 0xFF, 0xFF);
} // namespace colour

struct Fonts {
    ImFont* small = nullptr; // 0.75 em, practitioner details
    ImFont* body = nullptr;  // 1 em
    ImFont* large = nullptr; // 1.4 em, questions and buttons
    ImFont* title = nullptr; // 1.9 em, welcome and thank-you
    std::string problem;     // why the friendly font could not be loaded, if it couldn't
};

// Switches the palette: high contrast is black on white with strong edges
// (ink 21:1, every border and selection at least 7:1).
void set_palette(bool high_contrast);

// Builds the font atlas for `layout` (call again when the window size
// changes), `scale` times the normal size, in the dyslexia-friendly face
// (OpenDyslexic, fonts-opendyslexic) when `easy` is set.
Fonts build_fonts(const Layout& layout, float scale = 1.0f, bool easy = false);
// The regular Latin face build_fonts uses, for the text shaper.
std::string latin_font_path(bool easy);
void apply_style(const Layout& layout);

} // namespace sayso::ui
