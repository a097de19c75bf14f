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

namespace {

struct Grid {
    int cols = 1, rows = 1;
    float size = 0;
};

// `n` tiles as large as they fit in w x h, up to `cap`, in at most `max_rows`
// rows: each cell `size + extra_w` wide and `size + extra_h` tall.
Grid best_grid(int n, float w, float h, float gap, float cap, float extra_w, float extra_h, int max_rows) {
    Grid best;
    for (int cols = n; cols >= 1; --cols) { // from one row down: the fewest rows wins a tie
        const int rows = (n + cols - 1) / cols;
        if (rows > max_rows) break;
        const float size =
            std::min({(w - static_cast<float>(cols - 1) * gap) / static_cast<float>(cols) - extra_w,
                      (h - static_cast<float>(rows - 1) * gap) / static_cast<float>(rows) - extra_h, cap});
        if (size > best.size) best = {cols, rows, size};
    }
    return best;
}

} // namespace

AnswerPlaces place_answers(const Layout& L, int n, Box area, bool scale, bool speaking, bool rtl) {
    AnswerPlaces out;
    if (n <= 0) return out;
    const float gap = L.pad;
    const float w = area.width(), h = area.height();
    const float label_room = L.em * 0.9f;
    const float cap = 4.5f * L.target;
    const int max_rows = scale ? 2 : n;
    const float speaker_r = speaking ? std::max(L.target * 0.34f, L.em * 0.85f) : 0;
    const float speaker_gap = L.pad * 0.6f + L.target * 0.08f; // clear of the tile's shadow
    const float speak_room = speaking ? speaker_gap + 2 * speaker_r : 0;
    // A speaker goes under its tile, or before it in the row (where reading
    // starts, as the question's does) when that leaves the tiles larger: in
    // landscape, height is what is short.
    // With speakers, cells lie further apart than a speaker from its tile, so each is plainly its tile's.
    const float cell_gap = speaking ? gap * 1.5f : gap;
    Grid g = best_grid(n, w, h, cell_gap, cap, 0, label_room + speak_room, max_rows);
    bool beside = false;
    if (speaking) {
        const Grid side = best_grid(n, w, h, cell_gap, cap, speak_room, label_room, max_rows);
        if (side.size > g.size) {
            g = side;
            beside = true;
        }
    }
    g.size = std::max(g.size, L.target);
    out.cols = g.cols;
    out.rows = g.rows;
    out.size = g.size;
    const float tile_w = g.size, tile_h = g.size + label_room;
    const float cell_w = tile_w + (beside ? speak_room : 0), cell_h = tile_h + (beside ? 0 : speak_room);
    const float grid_w = static_cast<float>(g.cols) * cell_w + static_cast<float>(g.cols - 1) * cell_gap;
    const float grid_h = static_cast<float>(g.rows) * cell_h + static_cast<float>(g.rows - 1) * cell_gap;
    const float x0 = area.x0 + (w - grid_w) * 0.5f;
    const float y0 = area.y0 + std::max(0.0f, (h - grid_h) * 0.5f);
    for (int i = 0; i < n; ++i) {
        const int row = i / g.cols;
        // Centre a short last row.
        const int in_row = std::min(g.cols, n - row * g.cols);
        const int col = rtl ? in_row - 1 - i % g.cols : i % g.cols;
        const float row_x =
            x0 + (grid_w - (static_cast<float>(in_row) * cell_w + static_cast<float>(in_row - 1) * cell_gap)) * 0.5f;
        const float cx0 = row_x + static_cast<float>(col) * (cell_w + cell_gap);
        const float cy0 = y0 + static_cast<float>(row) * (cell_h + cell_gap);
        // Beside: the speaker first in reading order, the tile after it.
        const float tx0 = beside && !rtl ? cx0 + speak_room : cx0;
        out.tiles.push_back({tx0, cy0, tx0 + tile_w, cy0 + tile_h});
        if (!speaking) continue;
        float sx = tx0 + tile_w * 0.5f, sy = cy0 + tile_h + speaker_gap + speaker_r;
        if (beside) {
            sx = rtl ? tx0 + tile_w + speaker_gap + speaker_r : cx0 + speaker_r;
            sy = cy0 + tile_h * 0.5f;
        }
        out.speakers.push_back({sx - speaker_r, sy - speaker_r, sx + speaker_r, sy + speaker_r});
    }
    return out;
}

namespace {

// The largest box of `aspect` inside `room`, centred.
Box fit(Box room, float aspect) {
    float w = room.width(), h = w / aspect;
    if (h > room.height()) {
        h = room.height();
        w = h * aspect;
    }
    const float x = room.x0 + (room.width() - w) * 0.5f, y = room.y0 + (room.height() - h) * 0.5f;
    return {x, y, x + w, y + h};
}

// `n` buttons of side `b` in rows of `per_row`, from (x, y).
std::vector<Box> buttons(int n, int per_row, float b, float gap, float x, float y, bool rtl) {
    std::vector<Box> out;
    for (int i = 0; i < n; ++i) {
        const int col = rtl ? per_row - 1 - i % per_row : i % per_row, row = i / per_row;
        const float bx = x + static_cast<float>(col) * (b + gap), by = y + static_cast<float>(row) * (b + gap);
        out.push_back({bx, by, bx + b, by + b});
    }
    return out;
}

} // namespace

CanvasPlaces place_canvas(const Layout& L, Box area, int crayons, float aspect, bool rtl) {
    const float gap = L.pad * 0.8f, w = area.width(), h = area.height();
    const int tools = 3;
    CanvasPlaces side, below;
    {
        // At the sides: crayons two abreast where reading starts, the tools in a column at the other side.
        const int rows = std::max((crayons + 1) / 2, tools);
        const float b =
            std::clamp((h - static_cast<float>(rows - 1) * gap) / static_cast<float>(rows), L.target, L.target * 1.3f);
        const float left_w = 2 * b + gap, right_w = b;
        const float top =
            area.y0 + std::max(0.0f, (h - (static_cast<float>(rows) * b + static_cast<float>(rows - 1) * gap)) * 0.5f);
        const float crayon_x = rtl ? area.x1 - left_w : area.x0;
        const float tool_x = rtl ? area.x0 : area.x1 - right_w;
        side.crayons = buttons(crayons, 2, b, gap, crayon_x, top, rtl);
        const auto t = buttons(tools, 1, b, gap, tool_x, top, false);
        side.eraser = t[0], side.undo = t[1], side.clear = t[2];
        side.canvas = fit({area.x0 + (rtl ? right_w : left_w) + 2 * gap, area.y0,
                           area.x1 - (rtl ? left_w : right_w) - 2 * gap, area.y1},
                          aspect);
    }
    {
        // Under it: one row of everything if it fits at a target each, else crayons above the tools.
        const int all = crayons + tools;
        const bool one_row = static_cast<float>(all) * L.target + static_cast<float>(all - 1) * gap <= w;
        const int per_row = one_row ? all : std::max(crayons, tools);
        const float b = std::clamp((w - static_cast<float>(per_row - 1) * gap) / static_cast<float>(per_row), L.target,
                                   L.target * 1.1f);
        const int rows = one_row ? 1 : 2;
        const float bar_h = static_cast<float>(rows) * b + static_cast<float>(rows - 1) * gap;
        const float y = area.y1 - bar_h;
        below.canvas = fit({area.x0, area.y0, area.x1, y - gap}, aspect);
        auto row_of = [&](int n) { return static_cast<float>(n) * b + static_cast<float>(n - 1) * gap; };
        if (one_row) {
            const auto all_b = buttons(all, all, b, gap, area.x0 + (w - row_of(all)) * 0.5f, y, rtl);
            below.crayons.assign(all_b.begin(), all_b.begin() + crayons);
            below.eraser = all_b[static_cast<std::size_t>(crayons)];
            below.undo = all_b[static_cast<std::size_t>(crayons) + 1];
            below.clear = all_b[static_cast<std::size_t>(crayons) + 2];
        } else {
            below.crayons = buttons(crayons, crayons, b, gap, area.x0 + (w - row_of(crayons)) * 0.5f, y, rtl);
            const auto t = buttons(tools, tools, b, gap, area.x0 + (w - row_of(tools)) * 0.5f, y + b + gap, rtl);
            below.eraser = t[0], below.undo = t[1], below.clear = t[2];
        }
    }
    const float side_area = side.canvas.width() * side.canvas.height();
    const float below_area = below.canvas.width() * below.canvas.height();
    return side_area >= below_area ? side : below;
}

} // namespace sayso::ui
