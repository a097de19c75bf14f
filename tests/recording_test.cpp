// A child's recording as it is made: kept for listening back, encoded to Ogg
// Opus as the samples come, and opened by another decoder (libopusfile).
#include "recording/take.hpp"

#include "ogg_opus.hpp"

#include <doctest/doctest.h>

using namespace sayso;

TEST_CASE("a recording decodes to exactly what was recorded: its length, its loud part and its quiet part") {
    const auto said = test::voice_like(2.0, 1.0);
    recording::Take take(10);
    // In the microphone's periods (4096 samples), as the kiosk hands them over.
    for (std::size_t at = 0; at < said.size(); at += 4096)
        CHECK(take.add(said.data() + at, std::min<std::size_t>(4096, said.size() - at)) > 0);
    CHECK(take.recording());
    CHECK_FALSE(take.ogg()); // not until it stops
    take.stop();
    CHECK(take.seconds() == doctest::Approx(3.0));
    const auto ogg = take.ogg();
    REQUIRE(ogg);
    CHECK(ogg->rfind("OggS", 0) == 0);
    const auto heard = test::decode_ogg_opus(*ogg);
    REQUIRE(heard);
    CHECK(heard->size() == said.size()); // to the sample
    CHECK(test::rms(*heard, 0, 96000) == doctest::Approx(test::rms(said, 0, 96000)).epsilon(0.15));
    CHECK(test::rms(*heard, 100000, 144000) < 0.002);
    CHECK(take.samples() == said); // what listening back plays
}

TEST_CASE("a recording stops by itself at its length, counting the seconds down") {
    recording::Take take(5);
    CHECK(take.max_seconds() == 5);
    CHECK(take.seconds_left() == 5);
    const auto said = test::voice_like(7.0);
    CHECK(take.add(said.data(), 48000) == 48000);
    CHECK(take.seconds_left() == 4);
    CHECK(take.add(said.data(), 100) == 100);
    CHECK(take.seconds_left() == 4); // rounded up: 3.99 s left shows 4
    CHECK(take.level() > 0.1f);
    // More than fits: only what fits is kept, and the recording ends.
    CHECK(take.add(said.data(), said.size()) == 5 * 48000 - 48100);
    CHECK_FALSE(take.recording());
    CHECK(take.full());
    CHECK(take.seconds_left() == 0);
    CHECK(take.add(said.data(), 10) == 0);
    const auto heard = test::decode_ogg_opus(*take.ogg());
    REQUIRE(heard);
    CHECK(heard->size() == 5u * 48000);
}

TEST_CASE("a recording's length is kept between 5 s and 2 minutes, and one with nothing in it is no recording") {
    CHECK(recording::Take(1).max_seconds() == recording::kMinSeconds);
    CHECK(recording::Take(100000).max_seconds() == recording::kMaxSeconds);
    recording::Take empty;
    CHECK(empty.max_seconds() == 60);
    empty.stop();
    const auto ogg = empty.ogg();
    REQUIRE_FALSE(ogg);
    CHECK(ogg.words() == "the recording could not be kept: nothing was recorded");
}

TEST_CASE("a minute of speech is small: Opus at 24 kbit/s, not the library's default of about three times that") {
    const auto said = test::voice_like(60.0);
    recording::Take take(60);
    for (std::size_t at = 0; at < said.size(); at += 4096)
        take.add(said.data() + at, std::min<std::size_t>(4096, said.size() - at));
    CHECK_FALSE(take.recording());
    const auto ogg = take.ogg();
    REQUIRE(ogg);
    CHECK(ogg->size() > 100'000);
    CHECK(ogg->size() < 220'000);
    MESSAGE("a minute: " << ogg->size() << " bytes");
}
