// Costs of text in other scripts and of read-aloud, printed as JSON for
// tools/benchmarks/bench.py: shaping and drawing a question in Urdu and
// Punjabi (first time, with the faces opening, and again), and espeak-ng
// speaking a question.
#include "speech/speech.hpp"
#include "text/shaper.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main() {
    const char* urdu =
        "\u0622\u067e \u06a9\u0627 \u06a9\u0627\u0631\u06a9\u0646 \u0622\u067e \u06a9\u06cc \u0628\u0627\u062a "
        "\u06a9\u062a\u0646\u06cc \u0627\u0686\u06be\u06cc \u0637\u0631\u062d \u0633\u0646\u062a\u0627 "
        "\u06c1\u06d2\u061f";
    const char* punjabi =
        "\u0a24\u0a41\u0a39\u0a3e\u0a21\u0a3e \u0a35\u0a30\u0a15\u0a30 \u0a24\u0a41\u0a39\u0a3e\u0a21\u0a40 "
        "\u0a17\u0a71\u0a32 \u0a15\u0a3f\u0a70\u0a28\u0a40 \u0a1a\u0a70\u0a17\u0a40 "
        "\u0a24\u0a30\u0a4d\u0a39\u0a3e\u0a02 "
        "\u0a38\u0a41\u0a23\u0a26\u0a3e \u0a39\u0a48?";
    auto t0 = Clock::now();
    sayso::text::Shaper shaper(sayso::text::debian_fonts("/usr/share/fonts/truetype/andika/Andika-Regular.ttf"));
    const double open_ms = ms_since(t0);

    auto line = [&](const char* s, const char* lang) {
        const auto t = Clock::now();
        auto l = shaper.shape(s, 50, lang);
        auto b = shaper.render(l);
        (void)b;
        return ms_since(t);
    };
    const double urdu_first = line(urdu, "ur");
    const double punjabi_first = line(punjabi, "pa-Guru");
    std::vector<double> urdu_again, punjabi_again;
    for (int i = 0; i < 50; ++i) {
        urdu_again.push_back(line(urdu, "ur"));
        punjabi_again.push_back(line(punjabi, "pa-Guru"));
    }

    auto& espeak = sayso::speech::Espeak::instance();
    bool spoke = true;
    auto speak = [&](const char* text, const char* voice, double& audio_s) {
        const auto t = Clock::now();
        auto pcm = espeak.say(text, voice);
        if (!pcm) std::fprintf(stderr, "%s\n", pcm.words().c_str());
        spoke = spoke && pcm;
        audio_s = pcm ? pcm->seconds() : 0;
        return ms_since(t);
    };
    double en_audio = 0, ur_audio = 0;
    speak("Hello", "en-gb", en_audio); // the first call loads the voice
    std::vector<double> en_ms, ur_ms;
    for (int i = 0; i < 5; ++i) {
        en_ms.push_back(speak("How well does your worker listen to you?", "en-gb", en_audio));
        ur_ms.push_back(speak(urdu, "ur", ur_audio));
    }
    std::printf("{\"faces_open_ms\": %.2f, \"urdu_first_ms\": %.2f, \"urdu_ms\": %.3f, \"punjabi_first_ms\": %.2f, "
                "\"punjabi_ms\": %.3f, \"speak_en_ms\": %.1f, \"speak_en_audio_s\": %.2f, \"speak_ur_ms\": %.1f, "
                "\"speak_ur_audio_s\": %.2f}\n",
                open_ms, urdu_first, median(urdu_again), punjabi_first, median(punjabi_again), median(en_ms), en_audio,
                median(ur_ms), ur_audio);
    return spoke ? 0 : 1;
}
