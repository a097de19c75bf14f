// Words as sound, without a display or a sound card: espeak-ng speaks any
// text offline, and recorded clips (WAV or Ogg Vorbis) a pack ships are read
// into the same form. Playing is the screens' business.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace sayso::speech {

// Mono 16-bit samples.
struct Pcm {
    int rate = 0;
    std::vector<std::int16_t> samples;
    double seconds() const { return rate > 0 ? static_cast<double>(samples.size()) / rate : 0; }
};

// Root mean square level, 0..1; a few thousandths is silence.
double level(const Pcm& pcm);

// espeak-ng, set up once for the process. Its state is global, so calls are
// serialised; run them off the UI thread.
class Espeak {
  public:
    static Espeak& instance();
    bool ok() const { return ok_; }
    const std::string& problem() const { return problem_; }
    // Speaks `utf8` with the voice (e.g. "en-gb", "ur", "pa"); empty on failure.
    Pcm say(const std::string& utf8, const std::string& voice, std::string& problem);

  private:
    Espeak();
    bool ok_ = false;
    int rate_ = 0;
    std::string problem_;
    std::mutex mu_;
};

// Reads a recorded clip: WAV (PCM 8/16-bit, any channels, mixed to mono) or
// Ogg Vorbis. On failure `problem` says why and the result is empty.
Pcm read_clip(const std::filesystem::path& file, std::string& problem);

// Clips above this are refused, so a pack can't exhaust memory.
inline constexpr std::uintmax_t kMaxClipBytes = 8u << 20;

} // namespace sayso::speech
