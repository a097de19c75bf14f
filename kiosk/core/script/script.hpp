// Replay scripts: one command a line, for tests, pack previews and checks.
//   tap ID | touch ID | double ID | finger N down|move ID[@X,Y] | finger N up
//   | stroke touch|mouse ID X,Y X,Y ... | wait MS | idle SECONDS
//   | shot NAME | expect SCREEN | type TEXT | key backspace|enter | deliver | listen [MS] | quit;
// blank lines and lines starting with # are skipped. `tap` presses a widget
// with the mouse, `touch` with a finger (SDL's finger events, as a touchscreen
// sends them), `double` is two quick finger taps on it; `finger` moves one
// finger of several (1 to 9) by itself, to a widget's centre or to a point in
// it (X and Y from 0 to 1 across it); `stroke` presses at the first point in
// a widget, moves through the rest and lets go at the last (a drawing);
// `listen` waits, in real time, until the tablet has stopped speaking and
// any recording has ended; `listen MS`, until the recording being made holds
// MS milliseconds of sound (or has ended at its length), and it goes on.
// The parser knows nothing of SDL: the kiosk's replay driver runs what it reads.
#pragma once

#include "result/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::script {

struct Command {
    enum class Verb { Tap, Touch, Double, Finger, Stroke, Wait, Idle, Shot, Expect, Type, Key, Deliver, Listen, Quit };
    enum class Finger { Down, Move, Up };
    Verb verb;
    std::string arg; // finger: the widget
    long number = 0; // wait (ms), idle (s), finger (which, 1 to 9), listen (ms of a recording; 0: to its end)
    Finger finger = Finger::Down;
    float x = 0.5f, y = 0.5f; // finger: where in the widget, 0..1 across and down
    struct Point {
        float x = 0, y = 0;
    };
    std::vector<Point> points; // stroke: where it goes in the widget, 0..1
    bool mouse = false;        // stroke: with the mouse, not a finger
    int line = 0;
};

struct Script {
    std::vector<Command> commands;
};

// Why a script can't be run: the first line at fault (0: the file itself).
struct ScriptProblem {
    int line = 0;
    std::string why;
};
std::string describe(const ScriptProblem&); // "line N: ..."
template <class T> using ScriptResult = Result<T, ScriptProblem>;

// Limits that keep a hostile script from costing more than its size.
inline constexpr std::size_t kMaxScriptBytes = 4u << 20; // 4 MiB
inline constexpr std::size_t kMaxStrokePoints = 1000;

ScriptResult<Script> parse_script(const std::string& text);
ScriptResult<Script> load_script(const std::filesystem::path& file);

} // namespace sayso::script
