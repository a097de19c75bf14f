// A child's own words, spoken: the samples as the microphone gives them, kept
// for listening back, and encoded to Ogg Opus as they come (libopusenc), so
// keeping a minute's recording costs only the last few milliseconds. Knows
// nothing of SDL: the kiosk hands it samples.
#pragma once

#include "result/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct OggOpusEnc;
struct OggOpusComments;

namespace sayso::recording {

inline constexpr int kRate = 48000;        // samples a second, one channel: Opus's own rate
inline constexpr int kBitrate = 24000;     // bits a second: clear speech, 180 KB a minute
inline constexpr int kDefaultSeconds = 60; // a pack's voice question may say otherwise
inline constexpr int kMinSeconds = 5, kMaxSeconds = 120;

// Why a recording could not be kept as Ogg Opus.
struct RecordingProblem {
    std::string what;
};
std::string describe(const RecordingProblem&);

class Take {
  public:
    explicit Take(int max_seconds = kDefaultSeconds);
    ~Take();
    Take(const Take&) = delete;
    Take& operator=(const Take&) = delete;

    // Adds samples (mono, kRate) while recording, up to the length; the take
    // stops by itself when full. Returns how many were kept.
    std::size_t add(const std::int16_t* samples, std::size_t n);
    // Ends the recording (the child pressed stop, or it is full).
    void stop();
    bool recording() const { return recording_; }
    bool empty() const { return samples_.empty(); }
    bool full() const { return samples_.size() >= max_samples_; }

    // This take's own number, never shared with another in this process.
    std::uint64_t serial() const { return serial_; }
    int max_seconds() const { return static_cast<int>(max_samples_ / kRate); }
    double seconds() const { return static_cast<double>(samples_.size()) / kRate; }
    // Whole seconds left to speak, counted down (rounded up: 60 shows until the first second has gone).
    int seconds_left() const;
    // How loud the latest samples were, 0..1, for a meter that shows the tablet hears.
    float level() const { return level_; }
    const std::vector<std::int16_t>& samples() const { return samples_; }

    // The recording as Ogg Opus, once stopped; or why it could not be made.
    Result<std::string, RecordingProblem> ogg() const;

  private:
    static int write(void* self, const unsigned char* data, int len);
    static int close(void*);
    void fail(const std::string& what, int code);

    std::uint64_t serial_;
    std::size_t max_samples_;
    std::vector<std::int16_t> samples_;
    bool recording_ = true;
    float level_ = 0;
    OggOpusComments* comments_ = nullptr;
    OggOpusEnc* enc_ = nullptr;
    std::string ogg_;
    std::string problem_; // empty while all is well
};

} // namespace sayso::recording
