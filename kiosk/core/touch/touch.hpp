// What fingers and quick taps mean for screens that know one pointer.
// Knows nothing of SDL or ImGui: the kiosk feeds it finger events and plays
// the steps it returns to its pointer; the screens ask it whether a press
// counts.
#pragma once

#include "flow/clock.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sayso::touch {

struct Point {
    float x = 0, y = 0;
};

// One step of the pointer the screens see.
struct Step {
    enum class Kind {
        Down,   // the pointer goes to `at` and presses
        Move,   // the pointer goes to `at`
        Up,     // the pointer goes to `at` and lets go: a press if still over what it pressed
        Cancel, // the pointer leaves the screen and lets go: nothing is pressed
        Away,   // the pointer leaves the screen, so nothing stays lit under a lifted finger
    } kind;
    Point at{};
    bool changes_button() const { return kind == Kind::Down || kind == Kind::Up || kind == Kind::Cancel; }
};

// A touchscreen's fingers as one pointer. One finger on its own is the
// pointer as it moves. When two are down together, neither presses anything
// until one lifts: the first to lift while another is still down was a tap
// (it presses where it went down, if it lifts still over it) and every finger
// still down is a palm or a resting hand, which presses nothing; and a finger
// of those that travels (a stroke on a drawing, while a hand rests) is the
// pointer from there on, the rest palms. A pointer already travelling when
// another lands keeps going, the newcomer a palm. A finger that lands while
// only palms are down is the pointer again.
class Fingers {
  public:
    static constexpr float kTravel = 12; // px a finger moves before it is known to be moving
    void down(std::int64_t id, Point at, std::vector<Step>& out);
    void move(std::int64_t id, Point at, std::vector<Step>& out);
    void up(std::int64_t id, Point at, std::vector<Step>& out);
    bool any() const { return !down_.empty(); }

  private:
    enum class Role { Pointer, Undecided, Palm };
    struct Finger {
        std::int64_t id;
        Point from, at;
        Role role;
    };
    std::vector<Finger> down_;
};

// Whether a press counts. A second press of the same thing within the
// guard (a double tap, a bounce) counts once; a press on a view shown less
// than the guard ago was aimed at the view before it (the second tap of a
// double tap on "skip" must not skip the next question too). Keys that are
// pressed twice on purpose (a PIN's 1 1, a word's l l) repeat.
class Presses {
  public:
    static constexpr flow::Millis kSameGuard{400};
    static constexpr flow::Millis kViewGuard{300};

    // The view on screen now (a screen, or a question of a session); a new one starts its guard.
    void showing(const std::string& view, flow::Millis now);
    // A press of `id` at `now`: true if it counts (and then it is remembered).
    bool accept(const std::string& id, flow::Millis now, bool repeats);
    // When a deliberate press of `id` would count, for a replay that taps as a person does.
    flow::Millis ready(const std::string& id) const;
    // Whether the view has been up long enough to take a press (a stroke on a canvas, not a tap).
    bool settled(flow::Millis now) const { return now - view_since_ >= kViewGuard; }

  private:
    std::string view_;
    flow::Millis view_since_{0};
    std::string last_;
    flow::Millis last_at_{0};
};

} // namespace sayso::touch
