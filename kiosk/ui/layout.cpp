#include "layout.hpp"

#include <algorithm>

namespace sayso::ui {

Layout Layout::compute(float width, float height, float dpi) {
    Layout l;
    l.width = width;
    l.height = height;
    l.portrait = height > width;
    l.dpi_known = dpi > 0;
    const float short_side = std::min(width, height);
    // Unknown DPI: assume the short side is that of a 10" tablet, 135 mm.
    l.mm = l.dpi_known ? dpi / 25.4f : short_side / 135.0f;
    l.em = std::clamp(short_side / 26.0f, 3.2f * l.mm, 80.0f);
    l.target = std::max(15.0f * l.mm, short_side * 0.09f);
    l.pad = std::max(0.5f * l.em, 3.0f * l.mm);
    return l;
}

} // namespace sayso::ui
