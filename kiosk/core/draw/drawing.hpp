// A child's drawing: strokes of a few strong crayons and an eraser on a
// white canvas of a fixed size, with undo and clear, painted into pixels the
// screen shows and the answer keeps as a PNG. Knows nothing of SDL or ImGui.
#pragma once

#include "png/png.hpp"
#include "result/result.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sayso::draw {

struct Point {
    float x = 0, y = 0; // canvas pixels
};

// The crayons, as 0xRRGGBB: strong colours a child can tell apart, each
// also apart from the others for the common colour blindnesses by lightness.
inline constexpr std::array<std::uint32_t, 6> kCrayons = {0x222222, 0xE02020, 0xFFB000, 0x20A040, 0x1E5FD8, 0x9B30C8};
inline constexpr int kEraser = -1; // the tool that paints the canvas white again

class Drawing {
  public:
    static constexpr int kWidth = 1024, kHeight = 768;
    static constexpr float kCrayonRadius = 12, kEraserRadius = 32;
    // What one drawing may hold, so a hand that never lifts can't use up the tablet.
    static constexpr std::size_t kMaxStrokes = 2000, kMaxPoints = 200'000;

    Drawing();

    // A stroke with `tool` (a crayon's index, or kEraser) starts at `p`.
    // Points off the canvas are kept to its edge.
    void begin(Point p, int tool);
    void extend(Point p);
    void end();
    // The stroke being drawn was not meant (a palm landed with it): it goes.
    void cancel();
    // Takes back the last stroke, or the last clear. False if there is nothing to take back.
    bool undo();
    // Empties the canvas (undo brings it back). False if it was empty already.
    bool clear();
    // Nothing on the canvas (never drawn on, cleared, or everything undone).
    bool empty() const;
    bool can_undo() const { return !history_.empty(); }
    bool drawing() const { return open_; }

    // This drawing's own number, never shared with another in this process
    // (an address may be used again by the next child's drawing).
    std::uint64_t serial() const { return serial_; }
    // RGBA, kWidth x kHeight, top row first.
    const std::vector<unsigned char>& pixels() const { return pixels_; }
    // Bumped whenever the pixels change; the part changed since take_changed() last ran.
    std::uint64_t version() const { return version_; }
    struct Rect {
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0; // x1, y1 past the end
    };
    std::optional<Rect> take_changed();

    // The canvas as a PNG.
    Result<std::string, png::PngProblem> png() const;

  private:
    struct Stroke {
        int tool = 0;
        bool clear = false; // a clear, kept so undo can bring the canvas back
        std::vector<Point> points;
    };
    void paint_segment(const Stroke& s, Point a, Point b);
    void repaint();
    void changed(int x0, int y0, int x1, int y1);

    std::uint64_t serial_;
    std::vector<Stroke> history_;
    std::size_t points_ = 0;
    bool open_ = false;
    std::vector<unsigned char> pixels_;
    std::uint64_t version_ = 0;
    std::optional<Rect> changed_;
};

} // namespace sayso::draw
