#include "raster.hpp"

#include <SDL.h>
#include <imgui.h>

#include <cmath>
#include <cstddef>

namespace sayso::ui {

namespace {

bool whole(float v) {
    return std::fabs(v - std::round(v)) < 1e-3f;
}

// Two triangles (a b c)(a c d) of four vertices in a row, as ImDrawList's
// PrimRect and PrimRectUV make them: an axis-aligned rectangle, one colour.
struct Quad {
    SDL_Rect dst{};
    ImVec2 uv0, uv1;
    ImU32 col = 0;
};

bool quad_at(const ImDrawVert* vtx, const ImDrawIdx* idx, unsigned at, unsigned count, Quad& q) {
    if (at + 6 > count) return false;
    const ImDrawIdx i = idx[at];
    if (idx[at + 1] != i + 1 || idx[at + 2] != i + 2 || idx[at + 3] != i || idx[at + 4] != i + 2 ||
        idx[at + 5] != i + 3)
        return false;
    const ImDrawVert &a = vtx[i], &b = vtx[i + 1], &c = vtx[i + 2], &d = vtx[i + 3];
    if (a.pos.y != b.pos.y || b.pos.x != c.pos.x || c.pos.y != d.pos.y || d.pos.x != a.pos.x) return false;
    if (a.col != b.col || a.col != c.col || a.col != d.col) return false;
    if (a.uv.x != d.uv.x || b.uv.x != c.uv.x || a.uv.y != b.uv.y || c.uv.y != d.uv.y) return false;
    if (!(c.pos.x > a.pos.x && c.pos.y > a.pos.y)) return false;
    if (!whole(a.pos.x) || !whole(a.pos.y) || !whole(c.pos.x) || !whole(c.pos.y)) return false;
    const int x0 = static_cast<int>(std::lround(a.pos.x)), y0 = static_cast<int>(std::lround(a.pos.y));
    q.dst = {x0, y0, static_cast<int>(std::lround(c.pos.x)) - x0, static_cast<int>(std::lround(c.pos.y)) - y0};
    q.uv0 = a.uv;
    q.uv1 = c.uv;
    q.col = a.col;
    return true;
}

// The texels a quad's UVs cover, when they are whole texels the same size as
// the quad (a copy, not a scaling).
bool same_size_texels(SDL_Texture* tex, const Quad& q, SDL_Rect& src) {
    int tw = 0, th = 0;
    if (SDL_QueryTexture(tex, nullptr, nullptr, &tw, &th) != 0) return false;
    const float x0 = q.uv0.x * static_cast<float>(tw), y0 = q.uv0.y * static_cast<float>(th);
    const float x1 = q.uv1.x * static_cast<float>(tw), y1 = q.uv1.y * static_cast<float>(th);
    if (!whole(x0) || !whole(y0) || !whole(x1) || !whole(y1)) return false;
    src = {static_cast<int>(std::lround(x0)), static_cast<int>(std::lround(y0)), static_cast<int>(std::lround(x1 - x0)),
           static_cast<int>(std::lround(y1 - y0))};
    return src.w == q.dst.w && src.h == q.dst.h;
}

// FNV-1a, 64-bit.
struct Fnv {
    std::uint64_t h = 1469598103934665603ull;
    void add(const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i)
            h = (h ^ b[i]) * 1099511628211ull;
    }
    template <class T> void add(const T& v) { add(&v, sizeof v); }
};

} // namespace

std::uint64_t draw_data_hash(const ImDrawData* data, std::uint64_t salt) {
    Fnv f;
    f.add(salt);
    f.add(data->DisplaySize);
    f.add(data->FramebufferScale);
    for (int n = 0; n < data->CmdListsCount; ++n) {
        const ImDrawList* list = data->CmdLists[n];
        f.add(list->VtxBuffer.Data, static_cast<std::size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
        f.add(list->IdxBuffer.Data, static_cast<std::size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            f.add(cmd.ClipRect);
            f.add(cmd.TextureId);
            f.add(cmd.VtxOffset);
            f.add(cmd.IdxOffset);
            f.add(cmd.ElemCount);
            f.add(cmd.UserCallback);
        }
    }
    return f.h;
}

RasterCounts render_draw_data(SDL_Renderer* renderer, ImDrawData* data) {
    RasterCounts counts;
    float sx = 1, sy = 1;
    SDL_RenderGetScale(renderer, &sx, &sy);
    const ImVec2 scale(sx == 1.0f ? data->FramebufferScale.x : 1.0f, sy == 1.0f ? data->FramebufferScale.y : 1.0f);
    const int fb_w = static_cast<int>(data->DisplaySize.x * scale.x);
    const int fb_h = static_cast<int>(data->DisplaySize.y * scale.y);
    if (fb_w <= 0 || fb_h <= 0) return counts;
    // Fills and copies are placed in whole pixels of the frame: only at a scale of one.
    const bool fast = scale.x == 1.0f && scale.y == 1.0f && sx == 1.0f && sy == 1.0f;
    SDL_Texture* atlas = static_cast<SDL_Texture*>(ImGui::GetIO().Fonts->TexID);
    const ImVec2 white = ImGui::GetIO().Fonts->TexUvWhitePixel;

    SDL_Rect old_view, old_clip;
    const bool old_clipped = SDL_RenderIsClipEnabled(renderer) == SDL_TRUE;
    SDL_RenderGetViewport(renderer, &old_view);
    SDL_RenderGetClipRect(renderer, &old_clip);
    SDL_RenderSetViewport(renderer, nullptr);
    SDL_RenderSetClipRect(renderer, nullptr);
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);

    const ImVec2 off = data->DisplayPos;
    for (int n = 0; n < data->CmdListsCount; ++n) {
        const ImDrawList* list = data->CmdLists[n];
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.UserCallback) {
                if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
                continue;
            }
            ImVec2 cmin((cmd.ClipRect.x - off.x) * scale.x, (cmd.ClipRect.y - off.y) * scale.y);
            ImVec2 cmax((cmd.ClipRect.z - off.x) * scale.x, (cmd.ClipRect.w - off.y) * scale.y);
            cmin.x = std::max(cmin.x, 0.0f);
            cmin.y = std::max(cmin.y, 0.0f);
            cmax.x = std::min(cmax.x, static_cast<float>(fb_w));
            cmax.y = std::min(cmax.y, static_cast<float>(fb_h));
            if (cmax.x <= cmin.x || cmax.y <= cmin.y) continue;
            const SDL_Rect clip{static_cast<int>(cmin.x), static_cast<int>(cmin.y), static_cast<int>(cmax.x - cmin.x),
                                static_cast<int>(cmax.y - cmin.y)};
            SDL_RenderSetClipRect(renderer, &clip);

            SDL_Texture* tex = static_cast<SDL_Texture*>(cmd.GetTexID());
            const ImDrawVert* vtx = list->VtxBuffer.Data + cmd.VtxOffset;
            const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
            const int vtx_count = list->VtxBuffer.Size - static_cast<int>(cmd.VtxOffset);
            unsigned pending = 0, pending_from = 0; // triangles' indices not drawn yet
            auto flush = [&] {
                if (pending == 0) return;
                SDL_RenderGeometryRaw(renderer, tex, &vtx->pos.x, sizeof(ImDrawVert),
                                      reinterpret_cast<const SDL_Color*>(&vtx->col), sizeof(ImDrawVert), &vtx->uv.x,
                                      sizeof(ImDrawVert), vtx_count, idx + pending_from, static_cast<int>(pending),
                                      sizeof(ImDrawIdx));
                counts.triangles += static_cast<int>(pending / 3);
                pending = 0;
            };
            for (unsigned at = 0; at < cmd.ElemCount;) {
                Quad q;
                SDL_Rect src;
                if (fast && quad_at(vtx, idx, at, cmd.ElemCount, q)) {
                    const Uint8 r = q.col & 0xFF, g = (q.col >> 8) & 0xFF, b = (q.col >> 16) & 0xFF,
                                a = (q.col >> 24) & 0xFF;
                    if (tex == atlas && q.uv0.x == white.x && q.uv0.y == white.y && q.uv1.x == white.x &&
                        q.uv1.y == white.y) {
                        flush();
                        // An opaque colour is written, not blended: the same pixels, at memory speed.
                        SDL_SetRenderDrawBlendMode(renderer, a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
                        SDL_SetRenderDrawColor(renderer, r, g, b, a);
                        SDL_RenderFillRect(renderer, &q.dst);
                        SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);
                        ++counts.fills;
                        at += 6;
                        pending_from = at;
                        continue;
                    }
                    if (tex && SDL_GetTextureUserData(tex) == kScaledCopies && q.uv0.x == 0 && q.uv0.y == 0 &&
                        q.uv1.x == 1 && q.uv1.y == 1) {
                        // A texture that asks to be scaled by SDL (a child's canvas): one copy, scaled.
                        flush();
                        SDL_RenderCopy(renderer, tex, nullptr, &q.dst);
                        ++counts.copies;
                        at += 6;
                        pending_from = at;
                        continue;
                    }
                    if (tex && same_size_texels(tex, q, src)) {
                        flush();
                        SDL_SetTextureColorMod(tex, r, g, b);
                        SDL_SetTextureAlphaMod(tex, a);
                        SDL_RenderCopy(renderer, tex, &src, &q.dst);
                        SDL_SetTextureColorMod(tex, 255, 255, 255);
                        SDL_SetTextureAlphaMod(tex, 255);
                        ++counts.copies;
                        at += 6;
                        pending_from = at;
                        continue;
                    }
                }
                pending += 3;
                at += 3;
            }
            flush();
        }
    }
    SDL_RenderSetViewport(renderer, &old_view);
    SDL_RenderSetClipRect(renderer, old_clipped ? &old_clip : nullptr);
    return counts;
}

} // namespace sayso::ui
