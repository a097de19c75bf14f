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
} // namespace colour

// The colours a screen is drawn in. Two fixed palettes; the Look says which
// is in use, and the screens get it with what they draw (Pen, Ui).
struct Palette {
    ImU32 background, card, tile, ink, muted, primary, primary_soft, accent, accent_soft, edge, shadow, disabled,
        problem, problem_soft, white;
};

// Warm: cream, teal and orange.
inline constexpr Palette kWarm{
    .background = colour::rgb(0xFF, 0xF4, 0xE6), // warm cream
    .card = colour::rgb(0xFF, 0xFF, 0xFF),
    .tile = colour::rgb(0xFF, 0xFB, 0xF5),
    .ink = colour::rgb(0x3A, 0x2E, 0x28),     // 12:1 on cream
    .muted = colour::rgb(0x6B, 0x5A, 0x50),   // 6:1 on cream
    .primary = colour::rgb(0x1F, 0x6F, 0x78), // white text 5.9:1
    .primary_soft = colour::rgb(0xDC, 0xF0, 0xEE),
    .accent = colour::rgb(0xF2, 0x8C, 0x28), // selection ring, celebration
    .accent_soft = colour::rgb(0xFD, 0xE3, 0xC6),
    .edge = colour::rgb(0xEA, 0xD9, 0xC6),
    .shadow = colour::rgb(0x8A, 0x6A, 0x4A, 40),
    .disabled = colour::rgb(0xD9, 0xCF, 0xC4),
    .problem = colour::rgb(0xA3, 0x23, 0x1B),
    .problem_soft = colour::rgb(0xFC, 0xE8, 0xE6),
    .white = colour::rgb(0xFF, 0xFF, 0xFF),
};

// High contrast: black on white with strong edges (ink 21:1, every border
// and selection at least 7:1).
inline constexpr Palette kHighContrast{
    .background = colour::rgb(0xFF, 0xFF, 0xFF),
    .card = colour::rgb(0xFF, 0xFF, 0xFF),
    .tile = colour::rgb(0xFF, 0xFF, 0xFF),
    .ink = colour::rgb(0x00, 0x00, 0x00),
    .muted = colour::rgb(0x1A, 0x1A, 0x1A),
    .primary = colour::rgb(0x00, 0x3D, 0x8F), // white on it 10:1
    .primary_soft = colour::rgb(0xFF, 0xFF, 0xFF),
    .accent = colour::rgb(0x00, 0x00, 0x00), // selection: a thick black ring
    .accent_soft = colour::rgb(0xFF, 0xE0, 0x3A),
    .edge = colour::rgb(0x00, 0x00, 0x00),
    .shadow = colour::rgb(0, 0, 0, 0),
    .disabled = colour::rgb(0xE6, 0xE6, 0xE6),
    .problem = colour::rgb(0x8B, 0x00, 0x00),
    .problem_soft = colour::rgb(0xFF, 0xFF, 0xFF),
    .white = colour::rgb(0xFF, 0xFF, 0xFF),
};

struct Fonts {
    ImFont* small = nullptr; // 0.75 em, practitioner details
    ImFont* body = nullptr;  // 1 em
    ImFont* large = nullptr; // 1.4 em, questions and buttons
    ImFont* title = nullptr; // 1.9 em, welcome and thank-you
    std::string problem;     // why the friendly font could not be loaded, if it couldn't
};

// Builds the font atlas for `layout` (call again when the window size
// changes), `scale` times the normal size, in the dyslexia-friendly face
// (OpenDyslexic, fonts-opendyslexic) when `easy` is set.
Fonts build_fonts(const Layout& layout, float scale = 1.0f, bool easy = false);
// The regular Latin face build_fonts uses, for the text shaper.
std::string latin_font_path(bool easy);
void apply_style(const Layout& layout, const Palette& colours);

} // namespace sayso::ui
