// Opening a child's recording as a listener would: Ogg Opus decoded by
// libopusfile (not the encoder the kiosk uses), to 48 kHz mono samples.
#pragma once

#include <opusfile.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace test {

// The samples of an Ogg Opus file in memory; nullopt if it does not open or decode.
inline std::optional<std::vector<std::int16_t>> decode_ogg_opus(const std::string& ogg) {
    int error = 0;
    OggOpusFile* f = op_open_memory(reinterpret_cast<const unsigned char*>(ogg.data()), ogg.size(), &error);
    if (!f) return std::nullopt;
    std::vector<std::int16_t> out;
    std::vector<opus_int16> buf(5760 * 2);
    for (;;) {
        const int n = op_read(f, buf.data(), static_cast<int>(buf.size()), nullptr);
        if (n < 0) {
            op_free(f);
            return std::nullopt;
        }
        if (n == 0) break;
        out.insert(out.end(), buf.begin(), buf.begin() + n);
    }
    op_free(f);
    return out;
}

// The loudness of samples [from, to), as RMS 0..1.
inline double rms(const std::vector<std::int16_t>& s, std::size_t from, std::size_t to) {
    double sum = 0;
    to = std::min(to, s.size());
    if (from >= to) return 0;
    for (std::size_t i = from; i < to; ++i)
        sum += double(s[i]) * s[i];
    return std::sqrt(sum / static_cast<double>(to - from)) / 32768.0;
}

// Something like a voice: a 220 Hz tone with overtones, its loudness rising
// and falling four times a second, for `seconds`; then silence for `quiet`.
inline std::vector<std::int16_t> voice_like(double seconds, double quiet = 0, int rate = 48000) {
    const auto n = static_cast<std::size_t>(seconds * rate), m = static_cast<std::size_t>(quiet * rate);
    std::vector<std::int16_t> s(n + m, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / rate;
        const double env = 0.55 + 0.45 * std::sin(2 * M_PI * 4 * t);
        const double v =
            std::sin(2 * M_PI * 220 * t) + 0.5 * std::sin(2 * M_PI * 440 * t) + 0.25 * std::sin(2 * M_PI * 660 * t);
        s[i] = static_cast<std::int16_t>(std::lround(8000 * env * v));
    }
    return s;
}

} // namespace test
