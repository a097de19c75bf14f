#include "script/script.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sayso::script;

TEST_CASE("a replay script is read a command a line, skipping blanks and comments") {
    const auto s = parse_script("# a walk\n\ntap start\r\nwait 250\nidle 3\ntype hello there\nkey enter\nshot q1\n"
                                "expect thanks\ndeliver\nlisten\nlisten 300 \nquit\n");
    REQUIRE_MESSAGE(s, s.words());
    REQUIRE(s->commands.size() == 11);
    CHECK(s->commands[0].verb == Command::Verb::Tap);
    CHECK(s->commands[0].arg == "start");
    CHECK(s->commands[0].line == 3);
    CHECK(s->commands[1].number == 250);
    CHECK(s->commands[2].number == 3);
    CHECK(s->commands[3].arg == "hello there");
    CHECK(s->commands[8].verb == Command::Verb::Listen);
    CHECK(s->commands[8].number == 0); // to the end
    CHECK(s->commands[9].verb == Command::Verb::Listen);
    CHECK(s->commands[9].number == 300); // until a recording holds 300 ms
    CHECK(s->commands[10].verb == Command::Verb::Quit);
}

TEST_CASE("a script with a mistake names its line, and nothing of it runs") {
    auto refused = [](const std::string& text, int line, const std::string& words) {
        INFO(text);
        const auto s = parse_script(text);
        REQUIRE_FALSE(s);
        CHECK(s.problem().line == line);
        CHECK(s.words().find(words) != std::string::npos);
        CHECK(s.words().rfind("line " + std::to_string(line) + ": ", 0) == 0);
    };
    refused("tap a\njump b\n", 2, "unknown command \"jump\"");
    refused("tap\n", 1, "tap needs an argument");
    refused("\n\nwait soon\n", 3, "wait needs a whole number from 0 to 86400000");
    refused("idle -1\n", 1, "idle needs a whole number");
    refused("wait 86400001\n", 1, "wait needs a whole number");
    refused("shot ../escape\n", 1, "plain file names");
    refused("shot a/b\n", 1, "plain file names");
    refused("key delete\n", 1, "key knows backspace and enter");
    refused("listen soon\n", 1, "listen takes nothing, or the milliseconds of a recording");
    refused("listen 0\n", 1, "from 1 to 120000");
    refused("listen 120001\n", 1, "from 1 to 120000");
    refused("touch\n", 1, "touch needs an argument");
    refused("double\n", 1, "double needs an argument");
    refused("finger 0 down start\n", 1, "a number from 1 to 9");
    refused("finger 10 down start\n", 1, "a number from 1 to 9");
    refused("finger 1 press start\n", 1, "down ID, move ID or up");
    refused("finger 1 down\n", 1, "down ID, move ID or up");
    refused("finger 1 up start\n", 1, "down ID, move ID or up");
    refused("finger 1 down start extra\n", 1, "down ID, move ID or up");
    refused("finger 1 move start@1.5,0\n", 1, "X and Y from 0 to 1");
    refused("finger 1 move start@0.5\n", 1, "X and Y from 0 to 1");
    refused("finger 1 move @0.5,0.5\n", 1, "X and Y from 0 to 1");
}

TEST_CASE("fingers: a tap, a double tap, and one finger of several moved by itself to a point in a widget") {
    const auto s = parse_script("touch answer:q1:happy\ndouble skip\nfinger 2 down answer:q1:sad\n"
                                "finger 1 move next@0.25,1\nfinger 2 up\n");
    REQUIRE_MESSAGE(s, s.words());
    REQUIRE(s->commands.size() == 5);
    CHECK(s->commands[0].verb == Command::Verb::Touch);
    CHECK(s->commands[0].arg == "answer:q1:happy");
    CHECK(s->commands[1].verb == Command::Verb::Double);
    const auto& down = s->commands[2];
    CHECK(down.verb == Command::Verb::Finger);
    CHECK(down.number == 2);
    CHECK(down.finger == Command::Finger::Down);
    CHECK(down.arg == "answer:q1:sad");
    CHECK(down.x == 0.5f);
    CHECK(down.y == 0.5f);
    const auto& move = s->commands[3];
    CHECK(move.number == 1);
    CHECK(move.finger == Command::Finger::Move);
    CHECK(move.arg == "next");
    CHECK(move.x == 0.25f);
    CHECK(move.y == 1.0f);
    CHECK(s->commands[4].finger == Command::Finger::Up);
    CHECK(s->commands[4].arg.empty());
}

TEST_CASE("a script too large to be one, or a file that is not there, is refused in words") {
    const auto huge = parse_script(std::string(kMaxScriptBytes + 1, '#'));
    REQUIRE_FALSE(huge);
    CHECK(huge.words() == "a script is at most 4 MiB");
    const auto missing = load_script("/nonexistent/walk.txt");
    REQUIRE_FALSE(missing);
    CHECK(missing.problem().line == 0);
    CHECK(missing.words() == "can't read /nonexistent/walk.txt");
}
