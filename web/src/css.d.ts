// Stylesheets imported from modules are bundled by Vite.
declare module "*.css";
