// Light, dark or the system's choice, kept in this browser and applied as <html data-theme="light|dark">.

export type Theme = "system" | "light" | "dark";

const KEY = "edgeclaw.theme";
const systemDark = () => matchMedia("(prefers-color-scheme: dark)");
let following: (() => void) | null = null;

export function savedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** Applies a theme; "system" follows the system's scheme, also when it changes. */
export function applyTheme(theme: Theme): void {
  const query = systemDark();
  if (following) query.removeEventListener("change", following);
  following = null;
  const set = () =>
    document.documentElement.setAttribute(
      "data-theme",
      theme === "system" ? (query.matches ? "dark" : "light") : theme,
    );
  set();
  if (theme === "system") {
    following = set;
    query.addEventListener("change", set);
    localStorage.removeItem(KEY);
  } else localStorage.setItem(KEY, theme);
}

/** The next theme in the cycle system → light → dark. */
export function nextTheme(theme: Theme): Theme {
  return theme === "system" ? "light" : theme === "light" ? "dark" : "system";
}
