#include "app/load/framing.h"

#include <optional>

#include "protocol/messages.h"

namespace tandem::load {

namespace {

// @hocuspocus/server 4.7 src/types.ts MessageType, @hocuspocus/common src/auth.ts AuthMessageType.
constexpr uint64_t kHpSync = 0;
constexpr uint64_t kHpAwareness = 1;
constexpr uint64_t kHpAuth = 2;
constexpr uint64_t kHpQueryAwareness = 3;
constexpr uint64_t kHpSyncReply = 4;
constexpr uint64_t kHpStateless = 5;
constexpr uint64_t kHpClose = 7;
constexpr uint64_t kHpSyncStatus = 8;
constexpr uint64_t kHpAuthToken = 0;
constexpr uint64_t kHpAuthPermissionDenied = 1;
constexpr uint64_t kHpAuthAuthenticated = 2;
//! What we announce as the provider version in the auth message (the provider sends its own).
constexpr std::string_view kProviderVersion = "tandem-load";

void put_var_uint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(0x80 | (v & 0x7F)));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

void put_var_string(std::vector<uint8_t>& out, std::string_view s) {
  put_var_uint(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

//! lib0 decoding without exceptions: each read returns nullopt past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ == data_.size(); }
  std::optional<uint64_t> var_uint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      const uint8_t b = data_[pos_++];
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
    return std::nullopt;
  }
  std::optional<std::span<const uint8_t>> var_bytes() {
    auto n = var_uint();
    if (!n || *n > data_.size() - pos_) return std::nullopt;
    auto out = data_.subspan(pos_, *n);
    pos_ += *n;
    return out;
  }
  std::optional<std::string_view> var_string() {
    auto b = var_bytes();
    if (!b) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
  }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Status truncated(std::string_view what, size_t at) {
  return Status::Error("hocuspocus message: truncated " + std::string(what) + " at byte " + std::to_string(at));
}

}  // namespace

std::string_view to_string(Dialect d) { return d == Dialect::kYws ? "yws" : "hocuspocus"; }

Result<Dialect> parse_dialect(std::string_view name) {
  if (name == "yws") return Dialect::kYws;
  if (name == "hocuspocus") return Dialect::kHocuspocus;
  return Status::Error("unknown dialect \"" + std::string(name) + "\" (yws or hocuspocus)");
}

Framing::Framing(Dialect dialect, std::string doc_name) : dialect_(dialect), doc_name_(std::move(doc_name)) {
  if (dialect_ == Dialect::kHocuspocus) put_var_string(name_prefix_, doc_name_);
}

std::vector<uint8_t> Framing::prefixed(std::vector<uint8_t> yws_message) const {
  if (dialect_ == Dialect::kYws) return yws_message;
  std::vector<uint8_t> out;
  out.reserve(name_prefix_.size() + yws_message.size());
  out.insert(out.end(), name_prefix_.begin(), name_prefix_.end());
  out.insert(out.end(), yws_message.begin(), yws_message.end());
  return out;
}

std::vector<std::vector<uint8_t>> Framing::opening(std::span<const uint8_t> state_vector) const {
  std::vector<std::vector<uint8_t>> out;
  if (dialect_ == Dialect::kHocuspocus) {
    // What HocuspocusProvider.sendToken sends with no token configured (AuthenticationMessage).
    std::vector<uint8_t> auth = name_prefix_;
    put_var_uint(auth, kHpAuth);
    put_var_uint(auth, kHpAuthToken);
    put_var_string(auth, "");
    put_var_string(auth, kProviderVersion);
    out.push_back(std::move(auth));
  }
  out.push_back(prefixed(protocol::encode_sync_step1(state_vector)));
  return out;
}

std::vector<uint8_t> Framing::sync_step2(std::span<const uint8_t> update) const {
  return prefixed(protocol::encode_sync_step2(update));
}

std::vector<uint8_t> Framing::update(std::span<const uint8_t> update) const {
  return prefixed(protocol::encode_sync_update(update));
}

std::vector<uint8_t> Framing::keepalive() const {
  if (dialect_ == Dialect::kYws) return {};
  std::vector<uint8_t> out = name_prefix_;
  put_var_uint(out, kHpStateless);
  put_var_string(out, "");
  return out;
}

Result<Incoming> Framing::parse(std::span<const uint8_t> message) const {
  return dialect_ == Dialect::kYws ? parse_yws(message) : parse_hocuspocus(message);
}

Result<Incoming> Framing::parse_yws(std::span<const uint8_t> message) const {
  auto m = protocol::parse_message(message);
  if (!m) return Status::Error("y-websocket message: " + m.error());
  Incoming in;
  in.payload = m->payload;
  switch (m->kind) {
    case protocol::MessageKind::kSyncStep1: in.kind = IncomingKind::kSyncStep1; break;
    case protocol::MessageKind::kSyncStep2: in.kind = IncomingKind::kSyncStep2; break;
    case protocol::MessageKind::kSyncUpdate: in.kind = IncomingKind::kUpdate; break;
    case protocol::MessageKind::kAwareness: in.kind = IncomingKind::kAwareness; break;
    case protocol::MessageKind::kQueryAwareness: in.kind = IncomingKind::kQueryAwareness; break;
    case protocol::MessageKind::kAuthDenied:
      in.kind = IncomingKind::kDenied;
      in.text = m->reason();
      break;
    case protocol::MessageKind::kAck: in.kind = IncomingKind::kAck; break;
  }
  return in;
}

Result<Incoming> Framing::parse_hocuspocus(std::span<const uint8_t> message) const {
  Reader r(message);
  auto name = r.var_string();
  if (!name) return truncated("document name", r.pos());
  // The server answers under the address the client used: our plain document name.
  if (*name != doc_name_) {
    return Status::Error("hocuspocus message for document \"" + std::string(*name) + "\" on the connection of \"" +
                         doc_name_ + "\"");
  }
  const size_t type_at = r.pos();
  auto type = r.var_uint();
  if (!type) return truncated("message type", type_at);
  Incoming in;
  switch (*type) {
    case kHpSync:
    case kHpSyncReply: {
      const size_t sub_at = r.pos();
      auto sub = r.var_uint();
      auto body = r.var_bytes();
      if (!sub || !body) return truncated("sync message", sub_at);
      if (*sub == 0) in.kind = IncomingKind::kSyncStep1;
      else if (*sub == 1) in.kind = IncomingKind::kSyncStep2;
      else if (*sub == 2) in.kind = IncomingKind::kUpdate;
      else return Status::Error("hocuspocus message: unknown sync type " + std::to_string(*sub));
      in.payload = *body;
      return in;
    }
    case kHpAwareness: {
      auto body = r.var_bytes();
      if (!body) return truncated("awareness update", r.pos());
      in.kind = IncomingKind::kAwareness;
      in.payload = *body;
      return in;
    }
    case kHpQueryAwareness: in.kind = IncomingKind::kQueryAwareness; return in;
    case kHpAuth: {
      auto sub = r.var_uint();
      if (!sub) return truncated("auth message", r.pos());
      if (*sub == kHpAuthAuthenticated) {
        in.kind = IncomingKind::kAuthenticated;
      } else if (*sub == kHpAuthPermissionDenied) {
        auto reason = r.var_string();
        in.kind = IncomingKind::kDenied;
        in.text = reason ? *reason : std::string_view("(no reason)");
      } else if (*sub == kHpAuthToken) {
        in.kind = IncomingKind::kTokenRequest;
      } else {
        return Status::Error("hocuspocus message: unknown auth type " + std::to_string(*sub));
      }
      return in;
    }
    case kHpStateless: in.kind = IncomingKind::kStateless; return in;
    case kHpClose: {
      auto reason = r.var_string();
      in.kind = IncomingKind::kClose;
      in.text = reason ? *reason : std::string_view("(no reason)");
      return in;
    }
    case kHpSyncStatus: in.kind = IncomingKind::kSyncStatus; return in;
    default:
      return Status::Error("hocuspocus message: unknown message type " + std::to_string(*type) + " at byte " +
                           std::to_string(type_at));
  }
}

}  // namespace tandem::load
