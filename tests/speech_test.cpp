// Speech without a sound card: espeak-ng into a buffer, and recorded clips.
#include "pack/pack.hpp"
#include "speech/speech.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

using namespace sayso;

namespace {

// A 16-bit PCM WAV of a 440 Hz tone.
std::string tone_wav(int rate, double seconds, int channels = 1) {
    const int frames = static_cast<int>(rate * seconds);
    std::string data;
    for (int i = 0; i < frames; ++i) {
        const auto v = static_cast<std::int16_t>(12000 * std::sin(2 * M_PI * 440 * i / rate));
        for (int c = 0; c < channels; ++c) {
            data.push_back(static_cast<char>(v & 0xFF));
            data.push_back(static_cast<char>((v >> 8) & 0xFF));
        }
    }
    auto u32 = [](std::uint32_t x) { return std::string{char(x), char(x >> 8), char(x >> 16), char(x >> 24)}; };
    auto u16 = [](std::uint16_t x) { return std::string{char(x), char(x >> 8)}; };
    return "RIFF" + u32(36 + static_cast<std::uint32_t>(data.size())) + "WAVE" + "fmt " + u32(16) + u16(1) +
           u16(static_cast<std::uint16_t>(channels)) + u32(static_cast<std::uint32_t>(rate)) +
           u32(static_cast<std::uint32_t>(rate * channels * 2)) + u16(static_cast<std::uint16_t>(channels * 2)) +
           u16(16) + "data" + u32(static_cast<std::uint32_t>(data.size())) + data;
}

} // namespace

TEST_CASE("espeak-ng speaks each language of the default pack, and it is not silence") {
    auto& e = speech::Espeak::instance();
    REQUIRE_MESSAGE(e.ok(), e.problem());
    const std::vector<std::pair<std::string, std::string>> lines = {
        {"en-gb", "How well does your worker listen to you?"},
        {"pl", "Jak dobrze s\u0142ucha Ci\u0119 Tw\u00f3j pracownik?"},
        {"ur", "\u0622\u067e \u06a9\u0627 \u06a9\u0627\u0631\u06a9\u0646 \u0622\u067e \u06a9\u06cc \u0628\u0627\u062a "
               "\u0633\u0646\u062a\u0627 \u06c1\u06d2\u061f"},
        {"pa", "\u0a24\u0a41\u0a39\u0a3e\u0a21\u0a40 \u0a17\u0a71\u0a32 \u0a38\u0a41\u0a23\u0a40?"},
    };
    for (const auto& [voice, text] : lines) {
        CAPTURE(voice);
        auto pcm = e.say(text, voice);
        REQUIRE_MESSAGE(pcm, pcm.words());
        CHECK(pcm->rate > 8000);
        CHECK(pcm->seconds() > 0.5);
        CHECK(speech::level(*pcm) > 0.02);
    }
    const auto none = e.say("hello", "zz");
    REQUIRE_FALSE(none);
    CHECK(none.problem().kind == speech::SpeechProblem::Kind::NoVoice);
    CHECK(none.words().find("no voice for \"zz\"") != std::string::npos);
}

TEST_CASE("recorded clips are read, mixed to mono, and bad ones refused with the file named") {
    test::TempDir tmp;
    test::write_file(tmp / "tone.wav", tone_wav(16000, 0.5, 2));
    const auto pcm = speech::read_clip(tmp / "tone.wav");
    REQUIRE_MESSAGE(pcm, pcm.words());
    CHECK(pcm->rate == 16000);
    CHECK(pcm->samples.size() == 8000);
    CHECK(speech::level(*pcm) > 0.2);

    // The same tone as Ogg Vorbis, encoded by oggenc.
    auto enc = test::run({"/usr/bin/oggenc", "-Q", "-o", (tmp / "tone.ogg").string(), (tmp / "tone.wav").string()});
    REQUIRE_MESSAGE(enc.code == 0, enc.err);
    const auto ogg = speech::read_clip(tmp / "tone.ogg");
    REQUIRE_MESSAGE(ogg, ogg.words());
    CHECK(ogg->rate == 16000);
    CHECK(ogg->samples.size() >= 7900);
    CHECK(ogg->samples.size() <= 8100);
    CHECK(speech::level(*ogg) > 0.2);

    test::write_file(tmp / "bad.wav", "RIFF....WAVEjunk");
    const auto bad = speech::read_clip(tmp / "bad.wav");
    REQUIRE_FALSE(bad);
    CHECK(bad.problem().kind == speech::SpeechProblem::Kind::NotAClip);
    CHECK(bad.words().find("bad.wav") != std::string::npos);
    test::write_file(tmp / "bad.ogg", "OggS not really");
    const auto bad_ogg = speech::read_clip(tmp / "bad.ogg");
    REQUIRE_FALSE(bad_ogg);
    CHECK(bad_ogg.words().find("Ogg Vorbis") != std::string::npos);
    const auto missing = speech::read_clip(tmp / "missing.wav");
    REQUIRE_FALSE(missing);
    CHECK(missing.problem().kind == speech::SpeechProblem::Kind::CantRead);
    CHECK(missing.words() == (tmp / "missing.wav").string() + ": can't be read");
}

TEST_CASE("a pack's recorded clip is found for its band, language and key, and never outside the pack") {
    test::TempDir tmp;
    std::filesystem::copy(test::default_pack, tmp / "p", std::filesystem::copy_options::recursive);
    std::filesystem::create_directories(tmp / "p" / "audio" / "pl" / "8-11");
    test::write_file(tmp / "p" / "audio" / "pl" / "8-11" / "listened.wav", tone_wav(16000, 0.2));
    test::write_file(tmp / "p" / "audio" / "pl" / "word.start.ogg", "x");
    test::write_file(tmp / "secret.wav", tone_wav(16000, 0.2));
    std::filesystem::create_symlink(tmp / "secret.wav", tmp / "p" / "audio" / "pl" / "word.skip.wav");
    auto r = pack::load_pack(tmp / "p");
    REQUIRE(r.ok());
    const auto& p = *r.pack;
    const auto& band = *p.band("8-11");
    CHECK(p.clip(band, "listened", "pl").filename() == "listened.wav");
    CHECK(p.clip(band, "listened", "en").empty());
    CHECK(p.clip(*p.band("4-7"), "listened", "pl").empty());                // another band's question has other words
    CHECK(p.clip(band, "word.start", "pl").filename() == "word.start.ogg"); // shared by every band
    CHECK(p.clip(band, "word.skip", "pl").empty());                         // a link out of the pack
    CHECK(p.clip(band, "listened", "de").empty());                          // not a pack language
}
