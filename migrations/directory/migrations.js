import m0000 from "./0000_cooing_starjammers.sql";
import m0001 from "./0001_audit.sql";
import m0002 from "./0002_memory.sql";
import m0003 from "./0003_skills.sql";
import m0004 from "./0004_lifecycle.sql";
import m0005 from "./0005_mcp_servers.sql";
import m0006 from "./0006_push.sql";
import m0007 from "./0007_api_keys.sql";
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
    m0007,
  },
};
