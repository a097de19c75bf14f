#include "voice.hpp"

#include "screens/screens.hpp"

#include <cstdio>

namespace sayso::ui {

Voice::Voice() {
    if (!speaker_.available()) std::fprintf(stderr, "sayso: read-aloud is off: %s\n", speaker_.problem().c_str());
}

void Voice::follow(const flow::Flow& flow) {
    const auto* s = flow.session();
    const auto screen = flow.screen();
    std::string now = flow::screen_name(screen);
    if (s) now += "|" + std::to_string(s->index) + "|" + s->language;
    if (now == spoken_) return;
    spoken_ = now;
    speaker_.stop();
    if (!s || !s->band->auto_read) return;
    if (screen == flow::Screen::Welcome)
        speaker_.say(welcome_speech(*s));
    else if (screen == flow::Screen::Intro)
        speaker_.say(intro_speech(*s, flow.name_choice()));
    else if (screen == flow::Screen::Talk)
        speaker_.say(talk_speech(*s));
    else if (screen == flow::Screen::Question)
        speaker_.say(question_speech(*s));
}

} // namespace sayso::ui
