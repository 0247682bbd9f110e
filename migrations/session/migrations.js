import m0000 from "./0000_living_silverclaw.sql";
import m0001 from "./0001_turns.sql";
import m0002 from "./0002_ledger.sql";
import m0003 from "./0003_exec_policy.sql";
import m0004 from "./0004_tasks.sql";
import m0005 from "./0005_uploads.sql";
import m0006 from "./0006_think_level.sql";
import journal from "./meta/_journal.json";

export default {
  journal,
  migrations: {
    m0000,
    m0001,
    m0002,
    m0003,
    m0004,
    m0005,
    m0006,
  },
};
