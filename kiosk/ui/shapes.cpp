#include "shapes.hpp"

#include <SDL.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace sayso::ui {

namespace {

constexpr int kMaxDiscRadius = 1024;
constexpr std::size_t kMaxScaled = 96; // pictures kept at a shown size

ImTextureID id(SDL_Texture* t) {
    return reinterpret_cast<ImTextureID>(t);
}

float px(float v) {
    return std::round(v);
}

} // namespace

Shapes::~Shapes() {
    for (auto& [_, t] : discs_)
        if (t) SDL_DestroyTexture(t);
    for (auto& [_, s] : scaled_)
        SDL_DestroyTexture(s.pic.texture);
}

SDL_Texture* Shapes::disc_texture(int r) {
    if (auto it = discs_.find(r); it != discs_.end()) return it->second;
    const int d = 2 * r;
    std::vector<std::uint32_t> pixels(static_cast<std::size_t>(d) * static_cast<std::size_t>(d));
    // Each pixel's coverage of the circle, from its centre's distance to the
    // edge: the one-pixel soft edge ImGui's anti-aliased shapes have.
    const float rf = static_cast<float>(r);
    for (int y = 0; y < d; ++y)
        for (int x = 0; x < d; ++x) {
            const float dx = static_cast<float>(x) + 0.5f - rf, dy = static_cast<float>(y) + 0.5f - rf;
            const float cover = std::clamp(rf - std::sqrt(dx * dx + dy * dy) + 0.5f, 0.0f, 1.0f);
            const auto a = static_cast<std::uint32_t>(std::lround(cover * 255.0f));
            pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(d) + static_cast<std::size_t>(x)] =
                (a << 24) | 0x00FFFFFFu;
        }
    SDL_Texture* t = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, d, d);
    if (t) {
        SDL_UpdateTexture(t, nullptr, pixels.data(), d * 4);
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
        SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
    }
    discs_[r] = t;
    return t;
}

void Shapes::rounded(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 colour, float rounding) {
    const float x0 = px(min.x), y0 = px(min.y), x1 = px(max.x), y1 = px(max.y);
    if (x1 <= x0 || y1 <= y0) return;
    const int r = static_cast<int>(std::min({std::floor(rounding), std::floor((x1 - x0) / 2), std::floor((y1 - y0) / 2),
                                             static_cast<float>(kMaxDiscRadius)}));
    SDL_Texture* t = r >= 1 ? disc_texture(r) : nullptr;
    if (!t) {
        dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), colour, rounding);
        return;
    }
    const float rf = static_cast<float>(r);
    // The corners: a quarter of the disc each, at its own size.
    dl->AddImage(id(t), ImVec2(x0, y0), ImVec2(x0 + rf, y0 + rf), ImVec2(0, 0), ImVec2(0.5f, 0.5f), colour);
    dl->AddImage(id(t), ImVec2(x1 - rf, y0), ImVec2(x1, y0 + rf), ImVec2(0.5f, 0), ImVec2(1, 0.5f), colour);
    dl->AddImage(id(t), ImVec2(x0, y1 - rf), ImVec2(x0 + rf, y1), ImVec2(0, 0.5f), ImVec2(0.5f, 1), colour);
    dl->AddImage(id(t), ImVec2(x1 - rf, y1 - rf), ImVec2(x1, y1), ImVec2(0.5f, 0.5f), ImVec2(1, 1), colour);
    // Between them, three rectangles that never overlap (a see-through colour is laid once).
    if (x1 - x0 > 2 * rf) {
        dl->AddRectFilled(ImVec2(x0 + rf, y0), ImVec2(x1 - rf, y0 + rf), colour);
        dl->AddRectFilled(ImVec2(x0 + rf, y1 - rf), ImVec2(x1 - rf, y1), colour);
    }
    if (y1 - y0 > 2 * rf) dl->AddRectFilled(ImVec2(x0, y0 + rf), ImVec2(x1, y1 - rf), colour);
}

void Shapes::disc(ImDrawList* dl, ImVec2 centre, float radius, ImU32 colour) {
    const int r = static_cast<int>(std::round(std::min(radius, static_cast<float>(kMaxDiscRadius))));
    SDL_Texture* t = r >= 1 ? disc_texture(r) : nullptr;
    if (!t) {
        dl->AddCircleFilled(centre, radius, colour);
        return;
    }
    const float x0 = px(centre.x - static_cast<float>(r)), y0 = px(centre.y - static_cast<float>(r));
    const float d = static_cast<float>(2 * r);
    dl->AddImage(id(t), ImVec2(x0, y0), ImVec2(x0 + d, y0 + d), ImVec2(0, 0), ImVec2(1, 1), colour);
}

Picture Shapes::sized(Picture pic, int w, int h) {
    if (!pic || w <= 0 || h <= 0 || (w == pic.w && h == pic.h) || w > 4096 || h > 4096) return pic;
    const Key key{pic.serial, w, h};
    if (auto it = scaled_.find(key); it != scaled_.end()) {
        order_.splice(order_.end(), order_, it->second.age);
        it->second.frame = frame_;
        return it->second.pic;
    }
    SDL_Texture* t = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    if (!t) return pic;
    // Drawn once into a texture of its own with the renderer's linear
    // scaling; the frame then copies it pixel for pixel.
    SDL_Texture* before = SDL_GetRenderTarget(renderer_);
    SDL_BlendMode mode = SDL_BLENDMODE_BLEND;
    SDL_GetTextureBlendMode(pic.texture, &mode);
    bool ok = SDL_SetRenderTarget(renderer_, t) == 0;
    if (ok) {
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_NONE);
        SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 0);
        SDL_RenderClear(renderer_);
        SDL_SetTextureBlendMode(pic.texture, SDL_BLENDMODE_NONE); // its alpha as it is, not laid over black
        ok = SDL_RenderCopy(renderer_, pic.texture, nullptr, nullptr) == 0;
        SDL_SetTextureBlendMode(pic.texture, mode);
    }
    SDL_SetRenderTarget(renderer_, before);
    if (!ok) {
        SDL_DestroyTexture(t);
        return pic;
    }
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    // The least recently drawn go, never one this frame's draw list holds.
    while (scaled_.size() >= kMaxScaled) {
        auto oldest = scaled_.find(order_.front());
        if (oldest->second.frame == frame_) break;
        SDL_DestroyTexture(oldest->second.pic.texture);
        scaled_.erase(oldest);
        order_.pop_front();
    }
    order_.push_back(key);
    const Picture out{t, w, h, pic.serial};
    scaled_.emplace(key, Scaled{out, std::prev(order_.end()), frame_});
    return out;
}

} // namespace sayso::ui
