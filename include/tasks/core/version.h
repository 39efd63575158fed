/* version.h - the module's version: in the Server header's version
 * components (ap_add_version_component) and in GET /api/health. */
#ifndef TASKS_CORE_VERSION_H
#define TASKS_CORE_VERSION_H

#define TASKS_VERSION "0.2.0"

#endif
