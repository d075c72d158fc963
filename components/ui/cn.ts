// Class name joining for the UI primitives (clsx: conditional classes, falsy values dropped).
export { clsx as cn } from "clsx";
