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

namespace {

bool unit(const std::string& t, float& out) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size() && out >= 0 && out <= 1;
}

// "touch|mouse ID X,Y X,Y ...": fills `c`, or says what is wrong.
std::string parse_stroke(Command& c) {
    const std::string usage = "stroke needs touch or mouse, a widget and at least one point X,Y (0 to 1 across and "
                              "down it): \"stroke touch canvas 0.1,0.1 0.5,0.5 0.9,0.2\"";
    std::istringstream in(c.arg);
    std::string how, target;
    in >> how >> target;
    if ((how != "touch" && how != "mouse") || target.empty()) return usage;
    c.mouse = how == "mouse";
    c.arg = target;
    for (std::string point; in >> point;) {
        const auto comma = point.find(',');
        Command::Point p;
        if (comma == std::string::npos || !unit(point.substr(0, comma), p.x) || !unit(point.substr(comma + 1), p.y))
            return "stroke: a point is X,Y with X and Y from 0 to 1, not \"" + point + "\"";
        if (c.points.size() == kMaxStrokePoints)
            return "stroke: at most " + std::to_string(kMaxStrokePoints) + " points";
        c.points.push_back(p);
    }
    if (c.points.empty()) return usage;
    return "";
}

// "N down ID[@X,Y]", "N move ID[@X,Y]" or "N up": fills `c`, or says what is wrong.
std::string parse_finger(Command& c) {
    const std::string usage = "finger needs a number from 1 to 9 and down ID, move ID or up (\"finger 2 down "
                              "answer:q1:happy\", \"finger 1 move skip@0.9,0.5\", \"finger 2 up\")";
    std::istringstream in(c.arg);
    std::string which, action, target, rest;
    in >> which >> action >> target >> rest;
    if (which.size() != 1 || which[0] < '1' || which[0] > '9' || !rest.empty()) return usage;
    c.number = which[0] - '0';
    if (action == "up") {
        if (!target.empty()) return usage;
        c.finger = Command::Finger::Up;
        c.arg.clear();
        return "";
    }
    if ((action != "down" && action != "move") || target.empty()) return usage;
    c.finger = action == "down" ? Command::Finger::Down : Command::Finger::Move;
    c.arg = target;
    if (const auto at = target.rfind('@'); at != std::string::npos) {
        c.arg = target.substr(0, at);
        const std::string point = target.substr(at + 1);
        const auto comma = point.find(',');
        if (c.arg.empty() || comma == std::string::npos || !unit(point.substr(0, comma), c.x) ||
            !unit(point.substr(comma + 1), c.y))
            return "finger: a point in a widget is ID@X,Y with X and Y from 0 to 1, not \"" + target + "\"";
    }
    return "";
}

} // namespace

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
            {"tap", Command::Verb::Tap},       {"touch", Command::Verb::Touch},   {"double", Command::Verb::Double},
            {"finger", Command::Verb::Finger}, {"stroke", Command::Verb::Stroke}, {"wait", Command::Verb::Wait},
            {"idle", Command::Verb::Idle},     {"shot", Command::Verb::Shot},     {"expect", Command::Verb::Expect},
            {"type", Command::Verb::Type},     {"key", Command::Verb::Key},       {"deliver", Command::Verb::Deliver},
            {"listen", Command::Verb::Listen}, {"quit", Command::Verb::Quit}};
        const auto known =
            std::find_if(std::begin(kVerbs), std::end(kVerbs), [&](const auto& v) { return verb == v.first; });
        if (known == std::end(kVerbs))
            return fail(
                "unknown command \"" + verb +
                "\" (expected tap, touch, double, finger, stroke, wait, idle, shot, expect, type, key, deliver, "
                "listen or quit)");
        c.verb = known->second;
        if (c.verb != Command::Verb::Type) { // typed text keeps its spaces
            while (!c.arg.empty() && (c.arg.back() == ' ' || c.arg.back() == '\t'))
                c.arg.pop_back();
        }
        if (c.verb != Command::Verb::Type && c.verb != Command::Verb::Deliver && c.verb != Command::Verb::Listen &&
            c.verb != Command::Verb::Quit && c.arg.empty())
            return fail(verb + " needs an argument");
        // The whole number the argument is, from `low` to `high`.
        auto whole = [&](long low, long high) {
            auto [p, ec] = std::from_chars(c.arg.data(), c.arg.data() + c.arg.size(), c.number);
            return ec == std::errc() && p == c.arg.data() + c.arg.size() && c.number >= low && c.number <= high;
        };
        if (c.verb == Command::Verb::Wait || c.verb == Command::Verb::Idle) {
            const long limit = c.verb == Command::Verb::Wait ? 86'400'000 : 86'400; // one day
            if (!whole(0, limit))
                return fail(verb + " needs a whole number from 0 to " + std::to_string(limit) + ", not \"" + c.arg +
                            "\"");
        }
        if (c.verb == Command::Verb::Listen && !c.arg.empty() && !whole(1, 120'000))
            return fail("listen takes nothing, or the milliseconds of a recording to wait for, from 1 to 120000, "
                        "not \"" +
                        c.arg + "\"");
        if (c.verb == Command::Verb::Finger) {
            if (auto why = parse_finger(c); !why.empty()) return fail(why);
        }
        if (c.verb == Command::Verb::Stroke) {
            if (auto why = parse_stroke(c); !why.empty()) return fail(why);
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
