// The store's schema and its migrations, versioned by PRAGMA user_version.
#pragma once

#include "sqlite_db.h"

namespace faceauth {

// The schema version this build writes. Migration n takes version n-1 to n.
inline constexpr int kSchemaVersion = 3;

// Brings the database to kSchemaVersion, one transaction per step (the
// user_version change is part of the step's transaction). Refuses databases
// from a newer faceauth and version-0 files that already hold foreign tables.
void migrate_schema(Db& db);

}  // namespace faceauth
