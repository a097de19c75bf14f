// Replay scripts: one command a line, for tests, pack previews and checks.
//   tap ID | wait MS | idle SECONDS | shot NAME | expect SCREEN | type TEXT | key backspace | deliver
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::ui {

struct Command {
    enum class Verb { Tap, Wait, Idle, Shot, Expect, Type, Key, Deliver, Listen, Quit };
    Verb verb;
    std::string arg;
    long number = 0; // wait (ms), idle (s)
    int line = 0;
};

struct Script {
    std::vector<Command> commands;
    std::string error; // "line N: ..." when the script is malformed
};

Script parse_script(const std::string& text);
Script load_script(const std::filesystem::path& file);

} // namespace sayso::ui
