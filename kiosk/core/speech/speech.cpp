#include "speech/speech.hpp"

#include <espeak-ng/speak_lib.h>
#include <stb/stb_vorbis.h>

#include <cmath>
#include <cstring>
#include <fstream>

namespace sayso::speech {

double level(const Pcm& pcm) {
    if (pcm.samples.empty()) return 0;
    double sum = 0;
    for (auto s : pcm.samples)
        sum += static_cast<double>(s) * s;
    return std::sqrt(sum / static_cast<double>(pcm.samples.size())) / 32768.0;
}

namespace {
int collect(short* wav, int n, espeak_EVENT* events) {
    if (wav && n > 0 && events) {
        auto* out = static_cast<std::vector<std::int16_t>*>(events->user_data);
        if (out) out->insert(out->end(), wav, wav + n);
    }
    return 0; // go on
}
} // namespace

std::string describe(const SpeechProblem& p) {
    using K = SpeechProblem::Kind;
    switch (p.kind) {
    case K::NoEngine: return "espeak-ng could not start (is espeak-ng-data installed?)";
    case K::NoVoice: return "espeak-ng has no voice for \"" + p.what + "\"";
    case K::CantSpeak: return "espeak-ng could not speak the text";
    case K::CantRead: return p.what + ": can't be read";
    case K::TooLarge: return p.what + ": larger than 8 MiB";
    case K::NotAClip: return p.what + ": " + p.why;
    }
    return "no sound for this";
}

Espeak& Espeak::instance() {
    static Espeak e;
    return e;
}

Espeak::Espeak() {
    // Synchronous: espeak-ng hands us the samples and plays nothing itself.
    rate_ = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
    if (rate_ <= 0) return; // ok() says so
    espeak_SetSynthCallback(collect);
    ok_ = true;
}

SpeechResult<Pcm> Espeak::say(const std::string& text, const std::string& voice) {
    Pcm pcm;
    if (!ok_) return SpeechProblem{SpeechProblem::Kind::NoEngine};
    std::lock_guard lock(mu_);
    // Find a voice that really speaks this language; espeak-ng would otherwise
    // pick the nearest one and read Urdu letters with an English voice.
    espeak_VOICE wanted{};
    wanted.languages = voice.c_str();
    const std::string primary = voice.substr(0, voice.find('-'));
    const char* chosen = nullptr;
    for (const espeak_VOICE** v = espeak_ListVoices(&wanted); v && *v && !chosen; ++v) {
        // `languages` is a list of (priority byte, name, NUL), ending in a zero byte.
        for (const char* l = (*v)->languages; l && *l; l += std::strlen(l + 1) + 2) {
            const std::string name = l + 1;
            if (name == voice || name == primary) {
                chosen = (*v)->name;
                break;
            }
        }
    }
    if (!chosen || espeak_SetVoiceByName(chosen) != EE_OK)
        return SpeechProblem{.kind = SpeechProblem::Kind::NoVoice, .what = voice};
    espeak_SetParameter(espeakRATE, 150, 0); // a little slower than the default 175 words a minute, for children
    pcm.rate = rate_;
    std::vector<std::int16_t> out;
    if (espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &out) != EE_OK ||
        espeak_Synchronize() != EE_OK)
        return SpeechProblem{SpeechProblem::Kind::CantSpeak};
    pcm.samples = std::move(out);
    return pcm;
}

namespace {

std::uint32_t le32(const unsigned char* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24);
}
std::uint16_t le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

SpeechProblem not_a_clip(const std::string& why) {
    return {.kind = SpeechProblem::Kind::NotAClip, .why = why};
}

SpeechResult<Pcm> read_wav(const std::string& bytes) {
    const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    if (n < 12 || std::memcmp(d, "RIFF", 4) != 0 || std::memcmp(d + 8, "WAVE", 4) != 0)
        return not_a_clip("not a WAV file");
    int channels = 0, rate = 0, bits = 0, format = 0;
    const unsigned char* data = nullptr;
    std::size_t data_len = 0;
    for (std::size_t p = 12; p + 8 <= n;) {
        const std::uint32_t len = le32(d + p + 4);
        if (len > n - p - 8) break;
        if (std::memcmp(d + p, "fmt ", 4) == 0 && len >= 16) {
            format = le16(d + p + 8);
            channels = le16(d + p + 10);
            rate = static_cast<int>(le32(d + p + 12));
            bits = le16(d + p + 22);
        } else if (std::memcmp(d + p, "data", 4) == 0) {
            data = d + p + 8;
            data_len = len;
        }
        p += 8 + len + (len & 1);
    }
    if (format != 1 || (bits != 8 && bits != 16) || channels < 1 || channels > 8 || rate < 4000 || rate > 192000 ||
        !data)
        return not_a_clip("a WAV clip must be uncompressed 8- or 16-bit PCM");
    Pcm pcm;
    pcm.rate = rate;
    const std::size_t frame = static_cast<std::size_t>(channels) * static_cast<std::size_t>(bits / 8);
    for (std::size_t f = 0; f + frame <= data_len; f += frame) {
        int sum = 0;
        for (int c = 0; c < channels; ++c) {
            const unsigned char* s = data + f + static_cast<std::size_t>(c) * static_cast<std::size_t>(bits / 8);
            sum += bits == 16 ? static_cast<std::int16_t>(le16(s)) : (static_cast<int>(s[0]) - 128) * 256;
        }
        pcm.samples.push_back(static_cast<std::int16_t>(sum / channels));
    }
    return pcm;
}

SpeechResult<Pcm> read_vorbis(const std::string& bytes) {
    int channels = 0, rate = 0;
    short* out = nullptr;
    const int frames = stb_vorbis_decode_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                                static_cast<int>(bytes.size()), &channels, &rate, &out);
    if (frames <= 0 || !out || channels < 1) {
        std::free(out);
        return not_a_clip("not a readable Ogg Vorbis file");
    }
    Pcm pcm;
    pcm.rate = rate;
    pcm.samples.reserve(static_cast<std::size_t>(frames));
    for (int f = 0; f < frames; ++f) {
        int sum = 0;
        for (int c = 0; c < channels; ++c)
            sum += out[static_cast<std::size_t>(f) * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
        pcm.samples.push_back(static_cast<std::int16_t>(sum / channels));
    }
    std::free(out);
    return pcm;
}

} // namespace

SpeechResult<Pcm> read_clip(const std::filesystem::path& file) {
    auto refused = [&](SpeechProblem::Kind kind) { return SpeechProblem{.kind = kind, .what = file.string()}; };
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return refused(SpeechProblem::Kind::CantRead);
    if (size > kMaxClipBytes) return refused(SpeechProblem::Kind::TooLarge);
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return refused(SpeechProblem::Kind::CantRead);
    auto pcm = file.extension() == ".ogg" ? read_vorbis(bytes) : read_wav(bytes);
    if (!pcm) {
        SpeechProblem p = pcm.problem();
        p.what = file.string();
        return p;
    }
    return pcm;
}

} // namespace sayso::speech
