#include "shaped_text.hpp"

#include "text/languages.hpp"

#include <SDL.h>
#include <cmath>

namespace sayso::ui {

namespace {
constexpr std::size_t kMaxCached = 400; // lines; a screen shows a few dozen
} // namespace

ShapedText::ShapedText(SDL_Renderer* renderer, const std::string& latin_font)
    : renderer_(renderer), shaper_(std::make_unique<text::Shaper>(text::debian_fonts(latin_font))) {}

ShapedText::~ShapedText() {
    clear();
}

void ShapedText::clear() {
    for (auto& [_, e] : cache_)
        if (e.texture) SDL_DestroyTexture(e.texture);
    cache_.clear();
    order_.clear();
}

void ShapedText::set_latin_font(const std::string& path) {
    clear();
    shaper_ = std::make_unique<text::Shaper>(text::debian_fonts(path));
}

bool ShapedText::rtl() const {
    const auto* l = text::find_language(lang_);
    return l && l->rtl;
}

std::vector<std::string> ShapedText::wrap(const std::string& text, float px, float width) {
    return shaper_->wrap(text, px, width, lang_);
}

ShapedText::Entry& ShapedText::get(const std::string& line, float px) {
    std::string key = std::to_string(std::lround(px * 4)) + "|" + lang_ + "|" + line;
    if (auto it = cache_.find(key); it != cache_.end()) {
        order_.splice(order_.end(), order_, it->second.age); // now the newest
        return it->second;
    }
    while (cache_.size() >= kMaxCached) {
        auto old = cache_.find(order_.front());
        if (old->second.texture) SDL_DestroyTexture(old->second.texture);
        cache_.erase(old);
        order_.pop_front();
    }
    const text::Line shaped = shaper_->shape(line, px, lang_);
    const text::Bitmap bm = shaper_->render(shaped);
    Entry e;
    e.w = static_cast<float>(bm.w);
    e.h = static_cast<float>(bm.h);
    if (bm.w > 0 && bm.h > 0) {
        e.texture = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, bm.w, bm.h);
        if (e.texture) {
            std::vector<std::uint32_t> px32(bm.alpha.size());
            for (std::size_t i = 0; i < px32.size(); ++i)
                px32[i] = (static_cast<std::uint32_t>(bm.alpha[i]) << 24) | 0x00FFFFFFu; // white, tinted when drawn
            SDL_UpdateTexture(e.texture, nullptr, px32.data(), bm.w * 4);
            SDL_SetTextureBlendMode(e.texture, SDL_BLENDMODE_BLEND);
        }
    }
    order_.push_back(key);
    e.age = std::prev(order_.end());
    return cache_.emplace(std::move(key), e).first->second;
}

ImVec2 ShapedText::measure(const std::string& line, float px) {
    const Entry& e = get(line, px);
    return ImVec2(e.w, e.h);
}

void ShapedText::draw(ImDrawList* dl, const std::string& line, float px, ImVec2 at, ImU32 colour) {
    const Entry& e = get(line, px);
    if (!e.texture) return;
    const ImVec2 a(std::floor(at.x), std::floor(at.y));
    dl->AddImage(reinterpret_cast<ImTextureID>(e.texture), a, ImVec2(a.x + e.w, a.y + e.h), ImVec2(0, 0), ImVec2(1, 1),
                 colour);
}

} // namespace sayso::ui
