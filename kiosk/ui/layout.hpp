// Sizes in display-independent units: millimetres from the display's DPI
// (or a share of the short side when the DPI is unknown) and an `em` that
// follows the screen, so one layout serves 1024x600 to 2560x1600.
#pragma once

#include <vector>

namespace sayso::ui {

struct Layout {
    float width = 0, height = 0; // px
    float mm = 0;                // px per millimetre
    float em = 0;                // body text size, px
    float target = 0;            // smallest answer target, px (>= 15 mm)
    float pad = 0;               // standard gap, px
    bool portrait = false;
    bool dpi_known = false;

    // `dpi` <= 0 means unknown.
    static Layout compute(float width, float height, float dpi);
    float short_side() const { return width < height ? width : height; }
};

// A rectangle on the screen, px.
struct Box {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float width() const { return x1 - x0; }
    float height() const { return y1 - y0; }
    bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Where a question's answers go: each tile (its picture, and its label under
// it) and, when answers are read aloud, each one's speaker: under its tile,
// or before it in its row where that leaves the tiles larger, and never on
// it. As large as the box allows: a scale (faces, yes / not
// sure / no) in one row or two, read in order from its first answer to its
// last; picture choices in whatever grid fits best. Right-to-left mirrors
// each row.
struct AnswerPlaces {
    std::vector<Box> tiles, speakers; // in the answers' order; speakers empty when not speaking
    int cols = 1, rows = 1;
    float size = 0; // a tile's width; its height is size plus its label's room
};
AnswerPlaces place_answers(const Layout& L, int n, Box area, bool scale, bool speaking, bool rtl);

// Where a draw question's canvas and its tools go: the canvas (of
// `aspect` width to height) as large as the box allows, with the crayons in
// one group and the eraser, undo and clear in another, each at least a target
// wide: at its sides in landscape (crayons where reading starts), in rows
// under it where that leaves the canvas larger.
struct CanvasPlaces {
    Box canvas;
    std::vector<Box> crayons;
    Box eraser, undo, clear;
};
CanvasPlaces place_canvas(const Layout& L, Box area, int crayons, float aspect, bool rtl);

} // namespace sayso::ui
