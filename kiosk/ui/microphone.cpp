#include "microphone.hpp"

#include "recording/take.hpp"

#include <SDL.h>
#include <cstring>

namespace sayso::ui {

Microphone::Microphone(std::function<void()> wake) : wake_(std::move(wake)) {
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        problem_ = std::string("no sound: ") + SDL_GetError();
        return;
    }
    audio_ = true;
    devices_changed();
}

Microphone::~Microphone() {
    if (device_) SDL_CloseAudioDevice(device_);
    join_closer();
    if (audio_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void Microphone::devices_changed() {
    if (!audio_) return;
    // -1: the driver can't list them, but may still have a default one.
    const int n = SDL_GetNumAudioDevices(1);
    available_ = n != 0;
    problem_ = available_ ? std::string() : "no microphone found";
}

void Microphone::join_closer() {
    if (closer_.joinable()) closer_.join();
}

bool Microphone::start() {
    if (device_) return true;
    if (!audio_) return false;
    join_closer();
    {
        std::lock_guard lock(mu_);
        pending_.clear();
        unannounced_ = 0;
    }
    SDL_AudioSpec want{}, have{};
    want.freq = recording::kRate;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024; // about 21 ms a period: what a stop can't hand over
    want.callback = &Microphone::heard;
    want.userdata = this;
    device_ = SDL_OpenAudioDevice(nullptr, 1, &want, &have, 0);
    if (!device_) {
        problem_ = std::string("no microphone: ") + SDL_GetError();
        available_ = false;
        return false;
    }
    available_ = true;
    problem_.clear();
    SDL_PauseAudioDevice(device_, 0);
    return true;
}

void Microphone::stop() {
    if (!device_) return;
    SDL_PauseAudioDevice(device_, 1); // no more samples from here on
    join_closer();
    closer_ = std::thread([d = device_] { SDL_CloseAudioDevice(d); });
    device_ = 0;
}

bool Microphone::lost(std::uint32_t which) {
    if (!device_ || which != device_) return false;
    stop();
    available_ = false;
    problem_ = "the microphone was unplugged";
    return true;
}

std::vector<std::int16_t> Microphone::take() {
    std::lock_guard lock(mu_);
    std::vector<std::int16_t> out;
    out.swap(pending_);
    return out;
}

void Microphone::heard(void* self, std::uint8_t* stream, int len) {
    auto* m = static_cast<Microphone*>(self);
    const std::size_t n = static_cast<std::size_t>(len) / 2;
    bool wake = false;
    {
        std::lock_guard lock(m->mu_);
        // At most two minutes waiting, should the loop stall: a take is never longer.
        if (m->pending_.size() + n > std::size_t(recording::kMaxSeconds) * recording::kRate) return;
        const std::size_t at = m->pending_.size();
        m->pending_.resize(at + n);
        std::memcpy(m->pending_.data() + at, stream, n * 2);
        m->unannounced_ += n;
        if (m->unannounced_ >= recording::kRate / 10) {
            m->unannounced_ = 0;
            wake = true;
        }
    }
    if (wake) m->wake_();
}

} // namespace sayso::ui
