#include "speaker.hpp"

#include "speech/speech.hpp"

#include <SDL.h>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace sayso::ui {

Speaker::Speaker() {
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        problem_ = std::string("no sound: ") + SDL_GetError();
        return;
    }
    // Open once to know there is a device at all; it is closed on the
    // worker, since closing waits for SDL's audio thread to finish its
    // period (92 ms with the dummy driver), which the first frame need not.
    std::uint32_t probe = 0;
    {
        std::lock_guard lock(mu_);
        if (!open()) {
            SDL_QuitSubSystem(SDL_INIT_AUDIO);
            return;
        }
        probe = device_;
        device_ = 0;
        available_ = true;
    }
    thread_ = std::thread([this, probe] {
        SDL_CloseAudioDevice(probe);
        work();
    });
}

Speaker::~Speaker() {
    {
        std::lock_guard lock(mu_);
        quit_ = true;
        ++generation_;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (available_) {
        std::lock_guard lock(mu_);
        close();
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
}

bool Speaker::open() {
    if (device_) return true;
    SDL_AudioSpec want{}, have{};
    want.freq = rate_;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    // No callback: samples are queued, and SDL converts for the hardware.
    device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
    if (device_ == 0) {
        problem_ = std::string("no sound: ") + SDL_GetError();
        return false;
    }
    SDL_PauseAudioDevice(device_, 0);
    return true;
}

void Speaker::close() {
    if (!device_) return;
    SDL_CloseAudioDevice(device_);
    device_ = 0;
}

void Speaker::say(std::vector<Item> items) {
    if (!available_) return;
    {
        std::lock_guard lock(mu_);
        ++generation_;
        pending_.assign(items.begin(), items.end());
        if (device_) SDL_ClearQueuedAudio(device_);
    }
    cv_.notify_all();
}

void Speaker::stop() {
    if (!available_) return;
    std::lock_guard lock(mu_);
    ++generation_;
    pending_.clear();
    if (device_) SDL_ClearQueuedAudio(device_);
    cv_.notify_all();
}

bool Speaker::busy() const {
    if (!available_) return false;
    std::lock_guard lock(mu_);
    return working_ || !pending_.empty() || (device_ && SDL_GetQueuedAudioSize(device_) > 0);
}

void Speaker::work() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return quit_ || !pending_.empty(); });
        if (quit_) return;
        Item item = std::move(pending_.front());
        pending_.pop_front();
        const std::uint64_t gen = generation_;
        working_ = true;
        lock.unlock();

        speech::Pcm pcm;
        if (item.pcm) {
            pcm.samples = *item.pcm;
            pcm.rate = item.pcm_rate;
        }
        const std::filesystem::path clip = item.clip ? item.clip() : std::filesystem::path();
        if (!clip.empty()) {
            auto read = speech::read_clip(clip);
            if (read)
                pcm = std::move(*read);
            else
                std::fprintf(stderr, "sayso: %s; speaking the words instead\n", read.words().c_str());
        }
        if (pcm.samples.empty() && !item.voice.empty()) {
            auto spoken = speech::Espeak::instance().say(item.text, item.voice);
            if (spoken)
                pcm = std::move(*spoken);
            else
                std::fprintf(stderr, "sayso: read-aloud: %s\n", spoken.words().c_str());
        }
        if (!pcm.samples.empty() && pcm.rate != rate_) {
            // A clip at another rate: convert to the device's.
            SDL_AudioCVT cvt;
            if (SDL_BuildAudioCVT(&cvt, AUDIO_S16SYS, 1, pcm.rate, AUDIO_S16SYS, 1, rate_) >= 0) {
                const int bytes = static_cast<int>(pcm.samples.size() * 2);
                std::vector<std::uint8_t> buf(static_cast<std::size_t>(bytes) * static_cast<std::size_t>(cvt.len_mult));
                std::memcpy(buf.data(), pcm.samples.data(), static_cast<std::size_t>(bytes));
                cvt.buf = buf.data();
                cvt.len = bytes;
                if (SDL_ConvertAudio(&cvt) == 0) {
                    pcm.samples.assign(reinterpret_cast<std::int16_t*>(buf.data()),
                                       reinterpret_cast<std::int16_t*>(buf.data()) + cvt.len_cvt / 2);
                    pcm.rate = rate_;
                }
            }
        }

        lock.lock();
        working_ = false;
        if (gen == generation_ && pcm.rate == rate_ && !pcm.samples.empty() && open()) {
            // A short pause between the question and each answer.
            std::vector<std::int16_t> gap(static_cast<std::size_t>(rate_ / 4), 0);
            SDL_QueueAudio(device_, pcm.samples.data(), static_cast<Uint32>(pcm.samples.size() * 2));
            SDL_QueueAudio(device_, gap.data(), static_cast<Uint32>(gap.size() * 2));
            queued_samples_ += pcm.samples.size();
        }
        // Nothing more to make: once the sound has played, close the device.
        while (pending_.empty() && !quit_ && device_ && SDL_GetQueuedAudioSize(device_) > 0)
            cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (pending_.empty()) close();
    }
}

} // namespace sayso::ui
