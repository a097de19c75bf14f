// Fingers as one pointer, and which quick presses count.
#include "touch/touch.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sayso::touch;
using sayso::flow::Millis;
using Kind = Step::Kind;

namespace {

std::string kinds(const std::vector<Step>& steps) {
    std::string s;
    for (const auto& st : steps)
        s += std::string(s.empty() ? "" : " ") + (st.kind == Kind::Down     ? "down"
                                                  : st.kind == Kind::Move   ? "move"
                                                  : st.kind == Kind::Up     ? "up"
                                                  : st.kind == Kind::Cancel ? "cancel"
                                                                            : "away");
    return s;
}

} // namespace

TEST_CASE("one finger is the pointer: it presses where it goes down, moves, and lets go where it lifts") {
    Fingers f;
    std::vector<Step> out;
    f.down(7, {10, 20}, out);
    f.move(7, {30, 40}, out);
    f.up(7, {35, 45}, out);
    CHECK(kinds(out) == "down move up away");
    CHECK(out[0].at.x == 10);
    CHECK(out[2].at.y == 45);
    CHECK_FALSE(f.any());
}

TEST_CASE("a palm resting on the screen presses nothing, whichever lands first; the finger's tap still counts") {
    std::vector<Step> out;
    SUBCASE("the palm is down first, the finger taps") {
        Fingers f;
        f.down(1, {500, 500}, out); // palm
        f.down(2, {100, 100}, out); // finger
        f.up(2, {102, 101}, out);
        f.up(1, {500, 510}, out);
        CHECK(kinds(out) == "down cancel down up away");
        CHECK(out[2].at.x == 100); // pressed where the finger went down
        CHECK(out[3].at.x == 102); // and let go where it lifted
    }
    SUBCASE("the finger is down first, the palm lands, the finger lifts") {
        Fingers f;
        f.down(1, {100, 100}, out); // finger
        f.down(2, {500, 500}, out); // palm
        f.up(1, {100, 100}, out);
        f.up(2, {500, 500}, out);
        CHECK(kinds(out) == "down cancel down up away");
        CHECK(out[2].at.x == 100);
    }
    SUBCASE("with the palm still down, each later tap is the pointer again") {
        Fingers f;
        f.down(1, {500, 500}, out);
        f.down(2, {100, 100}, out);
        f.up(2, {100, 100}, out);
        out.clear();
        f.down(3, {200, 200}, out);
        f.move(1, {520, 520}, out); // the palm shifts: nothing moves
        f.up(3, {200, 200}, out);
        CHECK(kinds(out) == "down up away");
        out.clear();
        f.up(1, {520, 520}, out); // the palm lifts: nothing is pressed
        CHECK(out.empty());
        CHECK_FALSE(f.any());
    }
    SUBCASE("three hands at once: only the first to lift taps") {
        Fingers f;
        f.down(1, {1, 1}, out);
        f.down(2, {2, 2}, out);
        f.down(3, {3, 3}, out);
        f.up(3, {3, 3}, out);
        f.up(1, {1, 1}, out);
        f.up(2, {2, 2}, out);
        CHECK(kinds(out) == "down cancel down up away");
        CHECK(out[2].at.x == 3);
    }
}

TEST_CASE("with a hand resting, the finger that travels draws at once and the hand stays out of it") {
    Fingers f;
    std::vector<Step> out;
    f.down(1, {500, 500}, out); // the hand
    f.down(2, {100, 100}, out); // the finger
    f.move(2, {105, 104}, out); // not yet travelling
    f.move(1, {503, 502}, out); // the hand shifts a little
    CHECK(kinds(out) == "down cancel");
    out.clear();
    f.move(2, {140, 120}, out);
    CHECK(kinds(out) == "down move");
    CHECK(out[0].at.x == 100); // from where it landed
    CHECK(out[1].at.x == 140);
    out.clear();
    f.move(1, {600, 600}, out); // the hand now moves far: it is a palm, nothing
    f.move(2, {160, 130}, out);
    f.up(2, {160, 130}, out);
    f.up(1, {600, 600}, out);
    CHECK(kinds(out) == "move up away");
}

TEST_CASE("a hand that shifted before a finger landed does not take over; a stroke being drawn keeps going when a "
          "hand lands") {
    std::vector<Step> out;
    SUBCASE("the palm shifts, then the finger lands: the palm's shifts add up to no travel") {
        Fingers f;
        f.down(1, {500, 500}, out); // the palm lands
        f.move(1, {508, 500}, out); // and shifts 8 px, as the pointer
        f.down(2, {100, 100}, out); // the finger lands: both undecided
        out.clear();
        f.move(1, {516, 500}, out); // 16 px from where it landed, 8 from where it was when the finger came
        CHECK(out.empty());
        f.move(2, {140, 120}, out); // the finger draws: it is the pointer
        CHECK(kinds(out) == "down move");
        CHECK(out[0].at.x == 100);
    }
    SUBCASE("a finger drawing when a hand lands: the finger goes on drawing, the hand is a palm") {
        Fingers f;
        f.down(1, {100, 100}, out);
        f.move(1, {150, 100}, out); // drawing
        f.down(2, {600, 600}, out); // the hand lands
        f.move(2, {700, 700}, out); // and moves: nothing
        f.move(1, {200, 100}, out);
        f.up(2, {700, 700}, out);
        f.up(1, {200, 100}, out);
        CHECK(kinds(out) == "down move move up away");
    }
    SUBCASE("a finger id seen again without its lift: what it held is let go first") {
        Fingers f;
        f.down(5, {1, 1}, out);
        f.move(5, {40, 40}, out);
        f.down(5, {300, 300}, out);
        CHECK(kinds(out) == "down move cancel down");
    }
}

TEST_CASE("finger events out of order are harmless") {
    Fingers f;
    std::vector<Step> out;
    f.up(4, {1, 1}, out);   // never went down
    f.move(4, {1, 1}, out); // nor this
    CHECK(out.empty());
    f.down(5, {1, 1}, out);
    f.down(5, {9, 9}, out); // the same id again: one contact, the new one
    f.up(5, {9, 9}, out);
    CHECK(kinds(out) == "down cancel down up away");
    CHECK_FALSE(f.any());
}

TEST_CASE("a double tap on one thing counts once; keys meant to repeat do; a new view's first moments press nothing") {
    Presses p;
    p.showing("question:q1", Millis(1000));
    CHECK_FALSE(p.accept("answer:q1:happy", Millis(1100), false)); // the tap that brought this view, bouncing
    CHECK(p.ready("answer:q1:happy") == Millis(1300));
    CHECK(p.accept("answer:q1:happy", Millis(1300), false));
    CHECK_FALSE(p.accept("answer:q1:happy", Millis(1420), false)); // the second of a double tap
    CHECK(p.ready("answer:q1:happy") == Millis(1700));
    CHECK(p.ready("answer:q1:sad") == Millis(1300));
    CHECK(p.accept("answer:q1:sad", Millis(1450), false)); // a different answer, at once: counts
    CHECK(p.accept("answer:q1:sad", Millis(1850), false)); // the same one later: counts
    CHECK(p.accept("pin:1", Millis(1900), true));
    CHECK(p.accept("pin:1", Millis(1950), true)); // 1 1
    // "skip" twice quickly: the second lands on the next question, which has just appeared.
    CHECK(p.accept("skip", Millis(3000), false));
    p.showing("question:q2", Millis(3001));
    CHECK_FALSE(p.accept("skip", Millis(3150), false));
    p.showing("question:q2", Millis(3200)); // the same view drawn again: its guard is not restarted
    CHECK(p.accept("next", Millis(3310), false));
}
