// Replay scripts: one command a line, for tests, pack previews and checks.
//   tap ID | wait MS | idle SECONDS | shot NAME | expect SCREEN | type TEXT | key backspace|enter | deliver
//   | listen | quit;  blank lines and lines starting with # are skipped.
// The parser knows nothing of SDL: the kiosk's replay driver runs what it reads.
#pragma once

#include "result/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::script {

struct Command {
    enum class Verb { Tap, Wait, Idle, Shot, Expect, Type, Key, Deliver, Listen, Quit };
    Verb verb;
    std::string arg;
    long number = 0; // wait (ms), idle (s)
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

ScriptResult<Script> parse_script(const std::string& text);
ScriptResult<Script> load_script(const std::filesystem::path& file);

} // namespace sayso::script
