// POST /v1/audit/batches: a request body in, a status and a JSON answer out (docs/audit.md's
// table). Kept apart from service.cpp so the HTTP layer only sends what this decides.
#pragma once

#include "server/audit_store.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

namespace courtplay::server {

struct AuditAnswer {
    int status = 200;
    nlohmann::json body;
};

AuditAnswer answer_audit_batch(AuditStore& store, std::string_view body, int64_t now);

}  // namespace courtplay::server
