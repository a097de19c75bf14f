#include "script/script.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

namespace sayso::script {

std::string describe(const ScriptProblem& p) {
    return p.line > 0 ? "line " + std::to_string(p.line) + ": " + p.why : p.why;
}

ScriptResult<Script> parse_script(const std::string& text) {
    if (text.size() > kMaxScriptBytes)
        return ScriptProblem{.why = "a script is at most " + std::to_string(kMaxScriptBytes >> 20) + " MiB"};
    Script s;
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    while (std::getline(in, raw)) {
        ++line;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        const auto start = raw.find_first_not_of(" \t");
        if (start == std::string::npos || raw[start] == '#') continue;
        const auto space = raw.find_first_of(" \t", start);
        const std::string verb = raw.substr(start, space == std::string::npos ? std::string::npos : space - start);
        std::string arg;
        if (space != std::string::npos) {
            const auto a = raw.find_first_not_of(" \t", space);
            if (a != std::string::npos) arg = raw.substr(a);
        }
        auto fail = [&](const std::string& why) { return ScriptProblem{.line = line, .why = why}; };
        Command c;
        c.line = line;
        c.arg = arg;
        static const std::pair<const char*, Command::Verb> kVerbs[] = {
            {"tap", Command::Verb::Tap},   {"wait", Command::Verb::Wait},       {"idle", Command::Verb::Idle},
            {"shot", Command::Verb::Shot}, {"expect", Command::Verb::Expect},   {"type", Command::Verb::Type},
            {"key", Command::Verb::Key},   {"deliver", Command::Verb::Deliver}, {"listen", Command::Verb::Listen},
            {"quit", Command::Verb::Quit}};
        const auto known =
            std::find_if(std::begin(kVerbs), std::end(kVerbs), [&](const auto& v) { return verb == v.first; });
        if (known == std::end(kVerbs))
            return fail("unknown command \"" + verb +
                        "\" (expected tap, wait, idle, shot, expect, type, key, deliver, listen or quit)");
        c.verb = known->second;
        if (c.verb != Command::Verb::Type && c.verb != Command::Verb::Deliver && c.verb != Command::Verb::Listen &&
            c.verb != Command::Verb::Quit) {
            while (!c.arg.empty() && (c.arg.back() == ' ' || c.arg.back() == '\t'))
                c.arg.pop_back();
            if (c.arg.empty()) return fail(verb + " needs an argument");
        }
        if (c.verb == Command::Verb::Wait || c.verb == Command::Verb::Idle) {
            auto [p, ec] = std::from_chars(c.arg.data(), c.arg.data() + c.arg.size(), c.number);
            const long limit = c.verb == Command::Verb::Wait ? 86'400'000 : 86'400; // one day
            if (ec != std::errc() || p != c.arg.data() + c.arg.size() || c.number < 0 || c.number > limit)
                return fail(verb + " needs a whole number from 0 to " + std::to_string(limit) + ", not \"" + c.arg +
                            "\"");
        }
        if (c.verb == Command::Verb::Shot &&
            (c.arg.find('/') != std::string::npos || c.arg.find("..") != std::string::npos))
            return fail("shot names are plain file names, without '/' or '..'");
        if (c.verb == Command::Verb::Key && c.arg != "backspace" && c.arg != "enter")
            return fail("key knows backspace and enter");
        s.commands.push_back(std::move(c));
    }
    return s;
}

ScriptResult<Script> load_script(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return ScriptProblem{.why = "can't read " + file.string()};
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_script(ss.str());
}

} // namespace sayso::script
