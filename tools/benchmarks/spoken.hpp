// A child's recording for the benchmarks: real speech (espeak-ng saying a
// child's answer, again and again) at the microphone's 48 kHz, for `seconds`.
#pragma once

#include "recording/take.hpp"
#include "speech/speech.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace sayso::bench {

inline std::optional<std::vector<std::int16_t>> spoken(double seconds) {
    auto said = speech::Espeak::instance().say(
        "My worker listens to me and she explains things. I didn't like it when the meeting was moved, "
        "but I liked that she came to see me at school. I want to see my brother more.",
        "en-gb");
    if (!said || said->samples.empty() || said->rate <= 0) return std::nullopt;
    // To 48 kHz by linear interpolation, repeated until long enough.
    const auto n = static_cast<std::size_t>(seconds * recording::kRate);
    std::vector<std::int16_t> out(n);
    const double step = static_cast<double>(said->rate) / recording::kRate;
    const std::size_t len = said->samples.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double at = std::fmod(static_cast<double>(i) * step, static_cast<double>(len - 1));
        const auto k = static_cast<std::size_t>(at);
        const double f = at - static_cast<double>(k);
        out[i] = static_cast<std::int16_t>((1 - f) * said->samples[k] + f * said->samples[k + 1]);
    }
    return out;
}

} // namespace sayso::bench
