/** What each controller action asks of the event source mapping. */
import type { ControllerAction } from "../controller/types";
import type { MappingChange } from "./ports";

export function mappingChangeFor(action: ControllerAction): MappingChange | null {
  switch (action.type) {
    case "keep":
      return null;
    case "resize":
      return { batchSize: action.batchSize };
    case "open-breaker":
      return { enabled: false };
    case "probe":
      return { enabled: true, batchSize: 1 };
    case "close":
      return { enabled: true, batchSize: action.batchSize };
  }
}
