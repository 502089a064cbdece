// RestApi: the JSON API under /api (docs/api.md) — documents (create, optionally from
// Markdown or HTML; list; get; rename; delete), export, and versions (list, create, view,
// restore). Storage calls and rendering run on the blocking pool, never on an I/O thread;
// reading or editing a loaded document goes through its room on the document's thread.
// Errors are {"error":{"code","message"}} with a stable code. Authentication (a later
// issue) slots in at authorize(). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "server/http_session.h"
#include "server/server_context.h"

namespace tandem::server {

class RestApi {
 public:
  explicit RestApi(ServerContext& ctx) : ctx_(ctx) {}
  void handle(Request req, Router::Respond respond);

 private:
  //! Where the auth issue checks the caller's token and role; today everyone may do anything.
  Status authorize(const Request& req, const std::string& doc_id, bool write) const;

  void create_document(Request req, Router::Respond respond);
  void list_documents(Request req, Router::Respond respond);
  void get_document(Request req, std::string id, Router::Respond respond);
  void rename_document(Request req, std::string id, Router::Respond respond);
  void delete_document(Request req, std::string id, Router::Respond respond);
  void export_document(Request req, std::string id, Router::Respond respond);
  void list_versions(Request req, std::string id, Router::Respond respond);
  void create_version(Request req, std::string id, Router::Respond respond);
  void view_version(Request req, std::string id, int64_t version, Router::Respond respond);
  void restore_version(Request req, std::string id, int64_t version, Router::Respond respond);

  ServerContext& ctx_;
};

//! The current state (Yjs update v1) of a document: from its room if it is loaded, else from
//! storage. `done` runs on any thread; an unknown document gives an error "not_found".
void document_state(ServerContext& ctx, const std::string& doc_id,
                    std::function<void(Result<std::vector<uint8_t>>)> done);

}  // namespace tandem::server
