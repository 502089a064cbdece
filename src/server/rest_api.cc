#include "server/rest_api.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <future>
#include <random>

#include "crdt/doc.h"
#include "server/document_view.h"
#include "server/room.h"
#include "server/room_registry.h"

namespace tandem::server {

namespace asio = boost::asio;
namespace json = boost::json;
using Respond = Router::Respond;

namespace {

constexpr size_t kMaxTitleBytes = 512;
constexpr size_t kMaxVersionNameBytes = 256;
constexpr size_t kMaxPageSize = 200;

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string new_doc_id() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";  // no 0/o, 1/l
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 20; ++i) id += kAlphabet[rd() % (sizeof kAlphabet - 1)];
  return id;
}

json::object meta_json(const storage::DocumentMeta& m) {
  return {{"id", m.id}, {"title", m.title}, {"created_ms", m.created_ms}, {"updated_ms", m.updated_ms}};
}

json::object version_json(const storage::VersionInfo& v) {
  return {{"id", v.id},
          {"doc", v.doc},
          {"name", v.name},
          {"automatic", v.automatic},
          {"created_ms", v.created_ms}};
}

// Parses a JSON object body; an empty body is an empty object.
Result<json::object> body_object(const Request& req) {
  if (req.body().empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(req.body(), ec);
  if (ec) return Status::Error("the body is not JSON: " + ec.message());
  if (!v.is_object()) return Status::Error("the body must be a JSON object");
  return v.as_object();
}

// An optional string field; error if present with another type or too long.
Result<std::optional<std::string>> string_field(const json::object& o, std::string_view key, size_t max) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) return Status::Error("\"" + std::string(key) + "\" must be a string");
  const auto& s = it->value().as_string();
  if (s.size() > max) return Status::Error("\"" + std::string(key) + "\" is longer than " + std::to_string(max) + " bytes");
  return std::optional<std::string>(std::string(s));
}

std::string query_param(const Request& req, std::string_view key) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return {};
  for (auto p : url->params()) {
    if (p.key == key) return p.value;
  }
  return {};
}

Response storage_error(const Request& req, const Status& st) {
  return error_response(req, http::status::internal_server_error, "storage_error", st.message());
}

}  // namespace

void document_state(ServerContext& ctx, const std::string& doc_id,
                    std::function<void(Result<std::vector<uint8_t>>)> done) {
  IoThread& thread = ctx.thread_of(doc_id);
  asio::post(thread.ioc, [&ctx, &thread, doc_id, done = std::move(done)]() mutable {
    if (auto room = thread.rooms->find(doc_id); room && room->state() == Room::State::kReady) {
      // Only committed content: nothing a reader sees may be lost in a crash.
      return room->committed_state(std::move(done));
    }
    asio::post(*ctx.blocking, [&ctx, doc_id, done = std::move(done)] {
      auto meta = ctx.storage->documents().get_document(doc_id);
      if (!meta) return done(meta.status());
      if (!meta.value()) return done(Status::Error("not_found"));
      auto stored = ctx.storage->load_document(doc_id);
      if (!stored) return done(stored.status());
      crdt::Doc doc;
      if (stored->snapshot) {
        if (Status s = doc.apply_update(stored->snapshot->state); !s) return done(s);
      }
      for (const auto& e : stored->tail) {
        if (Status s = doc.apply_update(e.update); !s) return done(s);
      }
      done(doc.encode_state_as_update());
    });
  });
}

Status RestApi::authorize(const Request&, const std::string&, bool) const { return Status::Ok(); }

void RestApi::handle(Request req, Respond respond) {
  auto url = boost::urls::parse_origin_form(req.target());
  auto parts = split_path(url ? std::string(url->path()) : std::string());
  auto method = req.method();
  auto bad = [&](http::status st, std::string_view code, std::string_view msg) {
    ctx_.metrics.reject(Rejection::kBadRequest);
    respond(error_response(req, st, code, msg));
  };
  if (parts.size() < 2 || parts[1] != "docs") return bad(http::status::not_found, "not_found", "no such endpoint");
  if (parts.size() == 2) {
    if (method == http::verb::post) return create_document(std::move(req), std::move(respond));
    if (method == http::verb::get) return list_documents(std::move(req), std::move(respond));
    return bad(http::status::method_not_allowed, "method_not_allowed", "use GET or POST on /api/docs");
  }
  std::string id = parts[2];
  if (!valid_doc_id(id)) return bad(http::status::not_found, "not_found", "no such document");
  if (Status st = authorize(req, id, method != http::verb::get); !st) {
    return bad(http::status::forbidden, "forbidden", st.message());
  }
  if (parts.size() == 3) {
    if (method == http::verb::get) return get_document(std::move(req), id, std::move(respond));
    if (method == http::verb::patch) return rename_document(std::move(req), id, std::move(respond));
    if (method == http::verb::delete_) return delete_document(std::move(req), id, std::move(respond));
    return bad(http::status::method_not_allowed, "method_not_allowed", "use GET, PATCH or DELETE on a document");
  }
  if (parts.size() == 4 && parts[3] == "export" && method == http::verb::get) {
    return export_document(std::move(req), id, std::move(respond));
  }
  if (parts.size() >= 4 && parts[3] == "versions") {
    if (parts.size() == 4) {
      if (method == http::verb::get) return list_versions(std::move(req), id, std::move(respond));
      if (method == http::verb::post) return create_version(std::move(req), id, std::move(respond));
      return bad(http::status::method_not_allowed, "method_not_allowed", "use GET or POST on versions");
    }
    int64_t version = 0;
    try {
      size_t used = 0;
      version = std::stoll(parts[4], &used);
      if (used != parts[4].size()) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
      return bad(http::status::not_found, "not_found", "no such version");
    }
    if (parts.size() == 5 && method == http::verb::get) return view_version(std::move(req), id, version, std::move(respond));
    if (parts.size() == 6 && parts[5] == "restore" && method == http::verb::post) {
      return restore_version(std::move(req), id, version, std::move(respond));
    }
  }
  bad(http::status::not_found, "not_found", "no such endpoint");
}

void RestApi::create_document(Request req, Respond respond) {
  auto body = body_object(req);
  if (!body) return respond(error_response(req, http::status::bad_request, "bad_request", body.error()));
  auto title = string_field(*body, "title", kMaxTitleBytes);
  auto markdown = string_field(*body, "markdown", ctx_.config.max_request_body_bytes);
  auto html = string_field(*body, "html", ctx_.config.max_request_body_bytes);
  for (const auto* r : {&title, &markdown, &html}) {
    if (!*r) return respond(error_response(req, http::status::bad_request, "bad_request", r->error()));
  }
  if (markdown.value() && html.value()) {
    return respond(error_response(req, http::status::bad_request, "bad_request", "give markdown or html, not both"));
  }
  std::optional<std::vector<uint8_t>> initial;
  if (markdown.value() || html.value()) {
    auto update = import_document(markdown.value() ? "markdown" : "html",
                                  markdown.value() ? *markdown.value() : *html.value());
    if (!update) return respond(error_response(req, http::status::bad_request, "bad_import", update.error()));
    initial = std::move(update.value());
  }
  asio::post(*ctx_.blocking, [this, req = std::move(req), respond = std::move(respond),
                              title = title.value().value_or("Untitled"), initial = std::move(initial)]() mutable {
    storage::DocumentMeta meta{new_doc_id(), title, now_ms(), now_ms()};
    if (Status st = ctx_.storage->documents().create_document(meta); !st) return respond(storage_error(req, st));
    if (initial) {
      // The imported content is the document's first log entry, committed before we answer.
      auto committed = std::make_shared<std::promise<Result<storage::LogPosition>>>();
      auto future = committed->get_future();
      ctx_.storage->log().append(meta.id, std::move(*initial),
                                 [committed](Result<storage::LogPosition> pos) { committed->set_value(std::move(pos)); });
      auto pos = future.get();
      if (!pos) return respond(storage_error(req, pos.status()));
    }
    respond(json_response(req, http::status::created, meta_json(meta)));
  });
}

void RestApi::list_documents(Request req, Respond respond) {
  storage::ListOptions options;
  std::string limit = query_param(req, "limit");
  if (!limit.empty()) {
    try {
      options.limit = std::min<size_t>(kMaxPageSize, std::max<size_t>(1, std::stoul(limit)));
    } catch (const std::exception&) {
      return respond(error_response(req, http::status::bad_request, "bad_request", "limit must be a number"));
    }
  }
  options.after_cursor = query_param(req, "cursor");
  asio::post(*ctx_.blocking, [this, req = std::move(req), respond = std::move(respond), options] {
    auto page = ctx_.storage->documents().list_documents(options);
    if (!page) return respond(error_response(req, http::status::bad_request, "bad_request", page.error()));
    json::array docs;
    for (const auto& m : page->docs) docs.push_back(meta_json(m));
    json::object out{{"docs", std::move(docs)}};
    if (!page->next_cursor.empty()) out["next_cursor"] = page->next_cursor;
    respond(json_response(req, http::status::ok, out));
  });
}

void RestApi::get_document(Request req, std::string id, Respond respond) {
  asio::post(*ctx_.blocking, [this, req = std::move(req), id, respond = std::move(respond)] {
    auto meta = ctx_.storage->documents().get_document(id);
    if (!meta) return respond(storage_error(req, meta.status()));
    if (!meta.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
    respond(json_response(req, http::status::ok, meta_json(*meta.value())));
  });
}

void RestApi::rename_document(Request req, std::string id, Respond respond) {
  auto body = body_object(req);
  if (!body) return respond(error_response(req, http::status::bad_request, "bad_request", body.error()));
  auto title = string_field(*body, "title", kMaxTitleBytes);
  if (!title || !title.value()) {
    return respond(error_response(req, http::status::bad_request, "bad_request",
                                  title ? "\"title\" is required" : title.error()));
  }
  asio::post(*ctx_.blocking, [this, req = std::move(req), id, respond = std::move(respond), t = *title.value()] {
    auto renamed = ctx_.storage->documents().rename_document(id, t, now_ms());
    if (!renamed) return respond(storage_error(req, renamed.status()));
    if (!renamed.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
    auto meta = ctx_.storage->documents().get_document(id);
    if (!meta || !meta.value()) return respond(storage_error(req, Status::Error("renamed document vanished")));
    respond(json_response(req, http::status::ok, meta_json(*meta.value())));
  });
}

void RestApi::delete_document(Request req, std::string id, Respond respond) {
  IoThread& thread = ctx_.thread_of(id);
  // Close the document's clients first (nothing pending is lost: close_all waits for commits).
  asio::post(thread.ioc, [this, &thread, req = std::move(req), id, respond = std::move(respond)]() mutable {
    // Until the deletion is stored, a client arriving now waits instead of loading it again.
    thread.rooms->hold(id);
    auto remove = [this, &thread, req = std::move(req), id, respond = std::move(respond)]() mutable {
      asio::post(*ctx_.blocking, [this, &thread, req = std::move(req), id, respond = std::move(respond)] {
        auto deleted = ctx_.storage->documents().delete_document(id);
        asio::post(thread.ioc, [&thread, id] { thread.rooms->release(id); });
        if (!deleted) return respond(storage_error(req, deleted.status()));
        if (!deleted.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
        Response res = make_response(req, http::status::no_content, "", "application/json");
        res.set(http::field::cache_control, "no-store");
        respond(std::move(res));
      });
    };
    auto room = thread.rooms->find(id);
    if (!room) return remove();
    thread.rooms->remove(*room);
    room->close_all(protocol::CloseCode::kUnknownDocument, "the document was deleted", std::move(remove));
  });
}

void RestApi::export_document(Request req, std::string id, Respond respond) {
  std::string format = query_param(req, "format");
  if (format.empty()) format = "html";
  if (!is_export_format(format)) {
    return respond(error_response(req, http::status::bad_request, "bad_format",
                                  "format must be one of html, markdown, text, json, yjs"));
  }
  document_state(ctx_, id, [this, req = std::move(req), format, respond = std::move(respond)](auto state) mutable {
    if (!state) {
      if (state.error() == "not_found") {
        return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
      }
      return respond(storage_error(req, state.status()));
    }
    asio::post(*ctx_.blocking, [req = std::move(req), format, respond = std::move(respond), s = std::move(state.value())] {
      auto rendered = render_document(s, format);
      if (!rendered) return respond(error_response(req, http::status::internal_server_error, "render_failed", rendered.error()));
      Response res = make_response(req, http::status::ok, std::move(rendered->body), rendered->content_type);
      res.set(http::field::cache_control, "no-store");
      respond(std::move(res));
    });
  });
}

void RestApi::list_versions(Request req, std::string id, Respond respond) {
  asio::post(*ctx_.blocking, [this, req = std::move(req), id, respond = std::move(respond)] {
    auto meta = ctx_.storage->documents().get_document(id);
    if (!meta) return respond(storage_error(req, meta.status()));
    if (!meta.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
    auto versions = ctx_.storage->documents().list_versions(id);
    if (!versions) return respond(storage_error(req, versions.status()));
    json::array out;
    for (const auto& v : versions.value()) out.push_back(version_json(v));
    respond(json_response(req, http::status::ok, json::object{{"versions", std::move(out)}}));
  });
}

void RestApi::create_version(Request req, std::string id, Respond respond) {
  auto body = body_object(req);
  if (!body) return respond(error_response(req, http::status::bad_request, "bad_request", body.error()));
  auto name = string_field(*body, "name", kMaxVersionNameBytes);
  if (!name) return respond(error_response(req, http::status::bad_request, "bad_request", name.error()));
  if (!name.value() || name.value()->empty()) {
    return respond(error_response(req, http::status::bad_request, "bad_request", "\"name\" is required"));
  }
  document_state(ctx_, id, [this, req = std::move(req), id, n = *name.value(), respond = std::move(respond)](auto state) mutable {
    if (!state) {
      if (state.error() == "not_found") return respond(error_response(req, http::status::not_found, "not_found", "no such document"));
      return respond(storage_error(req, state.status()));
    }
    asio::post(*ctx_.blocking, [this, req = std::move(req), id, n, respond = std::move(respond), s = std::move(state.value())] {
      auto v = ctx_.storage->documents().create_version(id, n, false, s, now_ms());
      if (!v) return respond(storage_error(req, v.status()));
      respond(json_response(req, http::status::created, version_json(v.value())));
    });
  });
}

void RestApi::view_version(Request req, std::string id, int64_t version, Respond respond) {
  std::string format = query_param(req, "format");
  if (format.empty()) format = "html";
  if (!is_export_format(format)) {
    return respond(error_response(req, http::status::bad_request, "bad_format",
                                  "format must be one of html, markdown, text, json, yjs"));
  }
  asio::post(*ctx_.blocking, [this, req = std::move(req), id, version, format, respond = std::move(respond)] {
    auto state = ctx_.storage->documents().version_state(id, version);
    if (!state) return respond(storage_error(req, state.status()));
    if (!state.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such version"));
    auto rendered = render_document(*state.value(), format);
    if (!rendered) return respond(error_response(req, http::status::internal_server_error, "render_failed", rendered.error()));
    Response res = make_response(req, http::status::ok, std::move(rendered->body), rendered->content_type);
    res.set(http::field::cache_control, "no-store");
    respond(std::move(res));
  });
}

void RestApi::restore_version(Request req, std::string id, int64_t version, Respond respond) {
  asio::post(*ctx_.blocking, [this, req = std::move(req), id, version, respond = std::move(respond)]() mutable {
    auto state = ctx_.storage->documents().version_state(id, version);
    if (!state) return respond(storage_error(req, state.status()));
    if (!state.value()) return respond(error_response(req, http::status::not_found, "not_found", "no such version"));
    IoThread& thread = ctx_.thread_of(id);
    // On the document's thread: load it (if needed), make the edit that restores the version,
    // and commit it like any client's edit, so collaborators see it live.
    asio::post(thread.ioc, [this, &thread, req = std::move(req), id, respond = std::move(respond),
                            version_state = std::move(*state.value())]() mutable {
      auto room = thread.rooms->get(id);
      room->when_loaded([this, room, req = std::move(req), respond = std::move(respond),
                         version_state = std::move(version_state)](Status loaded) mutable {
        if (!loaded) return respond(error_response(req, http::status::not_found, "not_found", loaded.message()));
        auto update = restore_update(room->doc(), version_state);
        if (!update) return respond(error_response(req, http::status::internal_server_error, "restore_failed", update.error()));
        if (update->empty()) {
          return respond(json_response(req, http::status::ok, json::object{{"restored", true}, {"changed", false}}));
        }
        room->apply_server_update(update.value(), [req = std::move(req), respond = std::move(respond)](Status st) {
          if (!st) return respond(storage_error(req, st));
          respond(json_response(req, http::status::ok, json::object{{"restored", true}, {"changed", true}}));
        });
      });
    });
  });
}

}  // namespace tandem::server
