// Sizes in display-independent units: millimetres from the display's DPI
// (or a share of the short side when the DPI is unknown) and an `em` that
// follows the screen, so one layout serves 1024x600 to 2560x1600.
#pragma once

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

} // namespace sayso::ui
