// Touch widgets with stable ids: each one drawn registers where it is, so a
// replay can tap it with a real SDL event at its centre.
#pragma once

#include "textures.hpp"
#include "theme.hpp"
#include "touch/touch.hpp"

#include <imgui.h>
#include <map>
#include <optional>
#include <string>

namespace sayso::ui {

class ShapedText;
class Shapes;

// What drawing needs besides where: the draw list, the palette in use, and
// the shaper for text the font atlas can't draw (null: plain text only).
struct Pen {
    ImDrawList* dl;
    const Palette& colours;
    ShapedText* shaped = nullptr;
    Shapes* shapes = nullptr; // null: ImGui's own shapes
};

class Widgets {
  public:
    void clear() { rects_.clear(); }
    // The palette and shaper this frame is drawn with (the kiosk sets them each frame).
    void set_look(const Palette& colours, ShapedText* shaped, Shapes* shapes = nullptr) {
        colours_ = &colours;
        shaped_ = shaped;
        shapes_ = shapes;
    }
    Pen pen(ImDrawList* dl) const { return {.dl = dl, .colours = *colours_, .shaped = shaped_, .shapes = shapes_}; }
    void add(const std::string& id, ImVec2 min, ImVec2 max) { rects_[id] = {min, max}; }
    // A point in a widget, `x` and `y` from 0 to 1 across and down it.
    std::optional<ImVec2> point(const std::string& id, float x, float y) const;
    // Whether a press counts (touch::Presses): the kiosk says each frame what
    // view is showing and when; tiles ask before they report a press.
    void set_time(const std::string& view, flow::Millis now) {
        presses_.showing(view, now);
        now_ = now;
    }
    bool accept(const std::string& id, bool repeats) { return presses_.accept(id, now_, repeats); }
    const touch::Presses& presses() const { return presses_; }
    bool settled() const { return presses_.settled(now_); }
    std::string list() const; // ids on screen, for error messages

  private:
    struct Rect {
        ImVec2 min, max;
    };
    std::map<std::string, Rect> rects_;
    touch::Presses presses_;
    flow::Millis now_{0};
    const Palette* colours_ = &kWarm;
    ShapedText* shaped_ = nullptr;
    Shapes* shapes_ = nullptr;
};

struct TileStyle {
    bool selected = false;
    bool enabled = true;
    bool primary = false; // filled teal, white text
    float pulse = 0;      // 0..1, confirmation highlight
    bool check = false;   // show a tick when selected (multiple choice)
    bool row = false;     // picture left of the label instead of above it
    bool repeats = false; // a key pressed twice on purpose (a PIN's 1 1): quick presses all count
};

// A rounded tile with an optional picture above an optional label; returns
// true when tapped. Registers `id` for replays.
bool tile(Widgets& w, const std::string& id, ImVec2 min, ImVec2 max, Picture pic, const std::string& label,
          ImFont* font, const TileStyle& style);

// Text wrapped to `width` and centred on `centre_x`, starting at `top`.
// Returns the height used.
float centred_text(const Pen& pen, ImFont* font, const std::string& text, float centre_x, float top, float width,
                   ImU32 colour);
float text_height(const Pen& pen, ImFont* font, const std::string& text, float width);
// The widest line of `text` wrapped to `width`.
float text_width(const Pen& pen, ImFont* font, const std::string& text, float width);
// Text wrapped to `width` from `at`, aligned to the start of the line: the
// left, or the right for a right-to-left language. Returns the height used.
float start_text(const Pen& pen, ImFont* font, const std::string& text, ImVec2 at, float width, ImU32 colour);

// A picture fitted inside a box, keeping its shape.
void draw_picture(const Pen& pen, Picture pic, ImVec2 min, ImVec2 max, ImU32 tint = 0xFFFFFFFF);

// A filled rectangle with round corners, and a filled circle, on whole pixels.
void fill_rounded(const Pen& pen, ImVec2 min, ImVec2 max, ImU32 colour, float rounding);
void fill_disc(const Pen& pen, ImVec2 centre, float radius, ImU32 colour);
// Left-aligned small heading, returns its height.
float heading(const Pen& pen, ImFont* font, const std::string& text, ImVec2 at, ImU32 colour);

} // namespace sayso::ui
