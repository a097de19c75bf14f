#include "draw/drawing.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace sayso::draw {

namespace {

Point inside(Point p) {
    return {std::clamp(p.x, 0.0f, static_cast<float>(Drawing::kWidth - 1)),
            std::clamp(p.y, 0.0f, static_cast<float>(Drawing::kHeight - 1))};
}

} // namespace

Drawing::Drawing() : pixels_(static_cast<std::size_t>(kWidth) * kHeight * 4, 0xFF) {
    static std::atomic<std::uint64_t> made{0};
    serial_ = ++made;
}

void Drawing::begin(Point p, int tool) {
    if (open_) end();
    if (history_.size() >= kMaxStrokes || points_ >= kMaxPoints) return;
    if (tool != kEraser && (tool < 0 || tool >= static_cast<int>(kCrayons.size()))) tool = 0;
    p = inside(p);
    history_.push_back({.tool = tool, .points = {p}});
    ++points_;
    open_ = true;
    paint_segment(history_.back(), p, p);
}

void Drawing::extend(Point p) {
    if (!open_) return;
    if (points_ >= kMaxPoints) return end();
    p = inside(p);
    auto& s = history_.back();
    const Point last = s.points.back();
    if (last.x == p.x && last.y == p.y) return;
    s.points.push_back(p);
    ++points_;
    paint_segment(s, last, p);
}

void Drawing::end() {
    open_ = false;
}

void Drawing::cancel() {
    if (!open_) return;
    open_ = false;
    points_ -= history_.back().points.size();
    history_.pop_back();
    repaint();
}

bool Drawing::undo() {
    if (open_) end();
    if (history_.empty()) return false;
    points_ -= history_.back().points.size();
    history_.pop_back();
    repaint();
    return true;
}

bool Drawing::clear() {
    if (open_) end();
    if (empty() || history_.size() >= kMaxStrokes) return false;
    history_.push_back({.clear = true});
    repaint();
    return true;
}

bool Drawing::empty() const {
    // Empty when nothing was drawn since the last clear. (An eraser's stroke
    // on an empty canvas still counts: the child did something.)
    return history_.empty() || history_.back().clear;
}

void Drawing::changed(int x0, int y0, int x1, int y1) {
    x0 = std::max(x0, 0), y0 = std::max(y0, 0), x1 = std::min(x1, kWidth), y1 = std::min(y1, kHeight);
    if (x0 >= x1 || y0 >= y1) return;
    ++version_;
    if (!changed_) {
        changed_ = Rect{x0, y0, x1, y1};
        return;
    }
    changed_->x0 = std::min(changed_->x0, x0), changed_->y0 = std::min(changed_->y0, y0);
    changed_->x1 = std::max(changed_->x1, x1), changed_->y1 = std::max(changed_->y1, y1);
}

std::optional<Drawing::Rect> Drawing::take_changed() {
    auto r = changed_;
    changed_.reset();
    return r;
}

// A round brush dragged from a to b: every pixel within the radius of the
// segment takes the tool's colour.
void Drawing::paint_segment(const Stroke& s, Point a, Point b) {
    const float r = s.tool == kEraser ? kEraserRadius : kCrayonRadius;
    const std::uint32_t c = s.tool == kEraser ? 0xFFFFFF : kCrayons[static_cast<std::size_t>(s.tool)];
    const unsigned char red = (c >> 16) & 0xFF, green = (c >> 8) & 0xFF, blue = c & 0xFF;
    const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x, b.x) - r)));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y, b.y) - r)));
    const int x1 = std::min(kWidth, static_cast<int>(std::ceil(std::max(a.x, b.x) + r)) + 1);
    const int y1 = std::min(kHeight, static_cast<int>(std::ceil(std::max(a.y, b.y) + r)) + 1);
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len2 = dx * dx + dy * dy;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            const float px = static_cast<float>(x) + 0.5f - a.x, py = static_cast<float>(y) + 0.5f - a.y;
            const float t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0f, 1.0f) : 0.0f;
            const float ex = px - t * dx, ey = py - t * dy;
            if (ex * ex + ey * ey > r * r) continue;
            unsigned char* p = &pixels_[(static_cast<std::size_t>(y) * kWidth + static_cast<std::size_t>(x)) * 4];
            p[0] = red, p[1] = green, p[2] = blue, p[3] = 0xFF;
        }
    }
    changed(x0, y0, x1, y1);
}

void Drawing::repaint() {
    std::fill(pixels_.begin(), pixels_.end(), 0xFF);
    // Only what came after the last clear shows.
    std::size_t from = 0;
    for (std::size_t i = history_.size(); i > 0; --i)
        if (history_[i - 1].clear) {
            from = i;
            break;
        }
    for (std::size_t i = from; i < history_.size(); ++i) {
        const auto& s = history_[i];
        for (std::size_t k = 0; k < s.points.size(); ++k)
            paint_segment(s, s.points[k == 0 ? 0 : k - 1], s.points[k]);
    }
    changed(0, 0, kWidth, kHeight);
}

Result<std::string, png::PngProblem> Drawing::png() const {
    // White and the crayons: every pixel is one of them, so the PNG keeps an
    // index a pixel and is never larger than the canvas's pixels.
    std::array<std::uint32_t, kCrayons.size() + 1> palette{};
    palette[0] = 0xFFFFFF;
    std::copy(kCrayons.begin(), kCrayons.end(), palette.begin() + 1);
    std::vector<unsigned char> index(static_cast<std::size_t>(kWidth) * kHeight);
    for (std::size_t i = 0; i < index.size(); ++i) {
        const unsigned char* p = &pixels_[i * 4];
        const std::uint32_t c = (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
        const auto at = std::find(palette.begin(), palette.end(), c);
        index[i] = static_cast<unsigned char>(at == palette.end() ? 0 : at - palette.begin());
    }
    return png::encode_indexed_png({.pixels = index.data(),
                                    .width = kWidth,
                                    .height = kHeight,
                                    .palette = palette.data(),
                                    .colours = static_cast<int>(palette.size())});
}

} // namespace sayso::draw
