// Typist: the keystrokes of one simulated person typing into a LoadClient's Y.Text. Each
// keystroke is one edit (one transaction, one update message): a character typed at the
// cursor, which then moves on; now and then a correction (the character before the cursor
// replaced) or a jump to a random place. The cursor is the character typed last, as an editor
// keeps a cursor relative to the text (y-prosemirror: relative positions): others' edits before
// it do not move it off that character, and typing there searches no index. (An index-based
// insert walks the text from its start after every remote transaction, which clears the
// search markers as in yjs: with 50 clients of one document that was a third of the
// generator's time.) Every edit inserts, so each has a clock range of its own for the
// EditLedger. Runs on the load run's thread, like its client.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

#include "app/load/load_client.h"

namespace tandem::load {

class Typist {
 public:
  Typist(std::shared_ptr<LoadClient> client, uint64_t seed) : client_(std::move(client)), rng_(seed) {}

  //! Types one keystroke.
  Status keystroke() {
    const uint32_t roll = pick(100);
    const char ch = kAlphabet[pick(sizeof(kAlphabet) - 1)];
    const std::string_view text(&ch, 1);
    // A jump (or the first keystroke) goes to a random place, found by its index.
    const bool jump = !cursor_ || roll < kJumpPercent;
    const bool correction = roll >= 100 - kCorrectionPercent;
    auto typed = jump ? client_->edit(random_place(), 0, text) : client_->type_after(*cursor_, correction, text);
    if (!typed) return typed.status();
    cursor_ = typed.value();
    return Status::Ok();
  }

  //! Inserts a word of `length` letters at a random place (for building a document fast).
  Status insert_word(uint32_t length) {
    std::string word;
    for (uint32_t i = 0; i < length; ++i) word.push_back(kAlphabet[pick(26)]);
    auto typed = client_->edit(random_place(), 0, word);
    return typed ? Status::Ok() : typed.status();
  }

  LoadClient& client() { return *client_; }

 private:
  static constexpr uint32_t kJumpPercent = 3;
  static constexpr uint32_t kCorrectionPercent = 10;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz      ";

  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  //! An index from 0 to the text's length, at random.
  uint64_t random_place() { return pick(static_cast<uint32_t>(client_->text_length() + 1)); }

  std::shared_ptr<LoadClient> client_;
  std::mt19937_64 rng_;
  //! The character typed last: the cursor is right after it.
  std::optional<crdt::ID> cursor_;
};

}  // namespace tandem::load
