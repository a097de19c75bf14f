// Words as sound, without a display or a sound card: espeak-ng speaks any
// text offline, and recorded clips (WAV or Ogg Vorbis) a pack ships are read
// into the same form. Playing is the screens' business.
#pragma once

#include "result/result.hpp"

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

// Why there is no sound for some words or a clip.
struct SpeechProblem {
    enum class Kind {
        NoEngine,  // espeak-ng could not start
        NoVoice,   // no voice speaks this language
        CantSpeak, // espeak-ng failed on the text
        CantRead,  // the clip's file can't be read
        TooLarge,  // the clip is over kMaxClipBytes
        NotAClip,  // the file is not a WAV or Ogg Vorbis clip Sayso can play
    };
    Kind kind = Kind::CantSpeak;
    std::string what; // the voice, or the clip's file
    std::string why;  // for NotAClip
};
std::string describe(const SpeechProblem&);
template <class T> using SpeechResult = Result<T, SpeechProblem>;

// espeak-ng, set up once for the process. Its state is global, so calls are
// serialised; run them off the UI thread.
class Espeak {
  public:
    static Espeak& instance();
    bool ok() const { return ok_; }
    std::string problem() const { return ok_ ? std::string() : describe(SpeechProblem{SpeechProblem::Kind::NoEngine}); }
    // Speaks `text` (UTF-8) with the voice (e.g. "en-gb", "ur", "pa").
    SpeechResult<Pcm> say(const std::string& text, const std::string& voice);

  private:
    Espeak();
    bool ok_ = false;
    int rate_ = 0;
    std::mutex mu_;
};

// Reads a recorded clip: WAV (PCM 8/16-bit, any channels, mixed to mono) or
// Ogg Vorbis; the problem names the file.
SpeechResult<Pcm> read_clip(const std::filesystem::path& file);

// Clips above this are refused, so a pack can't exhaust memory.
inline constexpr std::uintmax_t kMaxClipBytes = 8u << 20;

} // namespace sayso::speech
